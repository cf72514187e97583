#!/usr/bin/env node
// The real-world harness, dynamic part: for each package, builds the original
// sources and a copy transformed by dbatch-transform --write, runs the
// package's own test suite on the original build (plain) and on the
// transformed one under libdbatch-preload.so with the emulate and the uring
// backend, then runs the real workloads (tar -x of 10,000 small files,
// rsync -a of the same tree, lighttpd serving it under ab) plain and batched,
// with every system call counted by strace -f -c and the results compared
// byte for byte. Writes one JSON per package into
// ~/.cache/dbatch/realworld/results; scripts/realworld.mjs puts them into
// docs/realworld.md. Slow (tar's suite is minutes per run) and not part of
// CI; run scripts/realworld-fetch.sh first (network: the Debian mirror).
//
//   node scripts/realworld-run.mjs [--no-suite] [--no-workload] [--files N] PKG...
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { packages, sourceDirName } from "./realworld-packages.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache =
  process.env.DBATCH_REALWORLD_CACHE ?? join(homedir(), ".cache", "dbatch", "realworld");
const transformBin = join(root, "node_modules", ".bin", "dbatch-transform");
const preloadLib = join(root, "packages", "preload", "build", "libdbatch-preload.so");
const preloadInclude = join(root, "packages", "preload", "include");
const backends = ["emulate", "uring"];

function parseArgs(argv) {
  const o = { suite: true, workload: true, files: 10000, pkgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-suite") o.suite = false;
    else if (a === "--no-workload") o.workload = false;
    else if (a === "--files") o.files = Number(argv[++i]);
    else if (a === "-h" || a === "--help") {
      process.stdout.write(
        "Usage: node scripts/realworld-run.mjs [--no-suite] [--no-workload] [--files N] PKG...\n" +
          `Packages built by the harness: ${Object.entries(packages)
            .filter(([, s]) => s.configure)
            .map(([p]) => p)
            .join(" ")}\n`,
      );
      process.exit(0);
    } else if (a.startsWith("-")) {
      process.stderr.write(`realworld-run: unknown option ${a}\n`);
      process.exit(2);
    } else if (!packages[a]?.configure) {
      process.stderr.write(`realworld-run: the harness does not build ${a}\n`);
      process.exit(2);
    } else o.pkgs.push(a);
  }
  if (!Number.isInteger(o.files) || o.files < 1) {
    process.stderr.write("realworld-run: --files needs a positive number\n");
    process.exit(2);
  }
  if (o.pkgs.length === 0)
    o.pkgs = Object.entries(packages)
      .filter(([, s]) => s.configure)
      .map(([p]) => p);
  return o;
}

const say = (msg) => process.stderr.write(`realworld-run: ${msg}\n`);

/** Run a command; the output goes to @log. Returns the exit status and seconds. */
function run(cmd, args, { cwd, env = {}, log, timeout = 3_600_000 }) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 << 20,
    timeout,
  });
  if (log) writeFileSync(log, `$ ${cmd} ${args.join(" ")}\n${r.stdout ?? ""}\n${r.stderr ?? ""}`);
  return {
    status: r.status ?? (r.signal ? 128 : 1),
    seconds: (Date.now() - t0) / 1000,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
  };
}

function mustRun(what, cmd, args, options) {
  const r = run(cmd, args, options);
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status}); log: ${options.log ?? "-"}`);
  }
  return r;
}

function cFiles(dir) {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".c") && statSync(join(dir, n)).isFile())
    .map((n) => join(dir, n));
}

/** Copy the pristine source tree to @to (fresh). */
function freshCopy(from, to) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, preserveTimestamps: true });
}

/** apt-get install what the package's build needs and this machine lacks. */
function aptInstall(pkgs, logs) {
  const missing = pkgs.filter(
    (p) =>
      run("dpkg-query", ["-W", "-f=${Status}", p], {}).stdout.trim() !== "install ok installed",
  );
  if (missing.length === 0) return;
  say(`apt-get install ${missing.join(" ")}`);
  mustRun("apt-get install", "apt-get", ["-y", "-qq", "install", ...missing], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
    log: join(logs, "apt.log"),
  });
}

function build(tree, spec, logs, name, cppflags) {
  const env = { ...(spec.configureEnv ?? {}) };
  if (cppflags) env.CPPFLAGS = cppflags;
  if (spec.prepare) {
    const [cmd, ...args] = spec.prepare;
    say(`${name}: ${spec.prepare.join(" ")}`);
    mustRun(`${name}: ${cmd}`, cmd ?? "true", args, {
      cwd: tree,
      log: join(logs, `${name}.prepare.log`),
    });
  }
  say(`${name}: configure`);
  mustRun(`${name}: configure`, "./configure", spec.configure, {
    cwd: tree,
    env,
    log: join(logs, `${name}.configure.log`),
  });
  say(`${name}: make`);
  const parallel = run("make", ["-j2"], { cwd: tree, log: join(logs, `${name}.make.log`) });
  if (parallel.status === 0) return parallel;
  // Debian's patches leave configure.ac newer than configure (rsync): make
  // regenerates it first, and two jobs can race on that; once more, serially.
  say(`${name}: make -j2 failed, once more with one job`);
  return mustRun(`${name}: make`, "make", [], {
    cwd: tree,
    log: join(logs, `${name}.make-j1.log`),
  });
}

/** The suite's own verdict lines, to compare runs (counts of passed/failed/skipped). */
function suiteSummary(output) {
  const keep = output
    .split("\n")
    .filter((l) =>
      /(tests? (were|was) successful|tests? (were|was) skipped|tests? failed|unexpectedly|^# (PASS|SKIP|FAIL|XFAIL|XPASS|ERROR|TOTAL):|^\s*\d+ (passed|failed|skipped)|overall result|^All \d+ tests passed|tests? behaved as expected|^Files=\d+, Tests=\d+|^Result: )/i.test(
        l,
      ),
    )
    // Perl's Test::Harness adds its timings to the count line: not a result.
    .map((l) => l.trim().replace(/,\s+\d+ wallclock secs.*$/, ""));
  return [...new Set(keep)].join(" / ");
}

/** Sum of the stats lines a suite's processes appended to @file. */
function statsTotals(file) {
  const t = { processes: 0, recorded: 0, flushes: 0, kernelEntries: 0 };
  if (!existsSync(file)) return t;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /recorded=(\d+) flushes=(\d+) kernel_entries=(\d+)/.exec(line);
    if (!m) continue;
    t.processes++;
    t.recorded += Number(m[1]);
    t.flushes += Number(m[2]);
    t.kernelEntries += Number(m[3]);
  }
  return t;
}

function preloadEnv(backend, statsFile) {
  return {
    LD_PRELOAD: preloadLib,
    DBATCH_BACKEND: backend,
    DBATCH_STATS_FILE: statsFile,
  };
}

function runSuite(tree, spec, logs, label, env) {
  say(`${label}: test suite`);
  const r = run("make", spec.check ?? ["check"], {
    cwd: tree,
    env,
    log: join(logs, `${label}.check.log`),
  });
  return {
    status: r.status,
    seconds: Number(r.seconds.toFixed(1)),
    summary: suiteSummary(`${r.stdout}\n${r.stderr}`),
  };
}

// ---- workloads -------------------------------------------------------------

/** @n small files in directories of 100 (sizes 1..4096 bytes, fixed pseudo-random). */
function makeTree(dir, n) {
  // the marker sits next to the tree, not in it (it would be copied)
  if (existsSync(`${dir}.complete`)) return;
  rmSync(dir, { recursive: true, force: true });
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < n; i++) {
    const sub = join(dir, `d${String(Math.floor(i / 100)).padStart(3, "0")}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    const size = 1 + (next() % 4096);
    writeFileSync(join(sub, `f${String(i % 100).padStart(2, "0")}`), Buffer.alloc(size, i % 251));
  }
  writeFileSync(`${dir}.complete`, "");
}

/** The "total" line of strace -c: the number of calls (columns: % time, seconds, usecs/call, calls, errors). */
function straceTotal(text) {
  const m = /^\s*100\.00\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** strace -f -c: the total number of system calls of the command and its children. */
function countedRun(cmd, args, { cwd, env, log }) {
  const out = `${log}.strace`;
  const r = run("strace", ["-f", "-c", "-o", out, "--", cmd, ...args], { cwd, env, log });
  const text = existsSync(out) ? readFileSync(out, "utf8") : "";
  return { status: r.status, syscalls: straceTotal(text), table: text };
}

/** Everything a tree holds, as text: paths, types, modes, sizes, mtimes, contents' digests. */
function treeListing(dir) {
  const r = run(
    "sh",
    [
      "-c",
      "find . -printf '%P %y %m %s %T@\\n' | sort && find . -type f -print0 | sort -z | xargs -0 md5sum",
    ],
    { cwd: dir },
  );
  return r.stdout;
}

const methods = [
  { label: "plain", which: "orig", env: () => ({}) },
  ...backends.map((b) => ({ label: b, which: "dbatch", env: (stats) => preloadEnv(b, stats) })),
];

/**
 * A workload that makes a tree: each method's program (@argsFor(dest)) run
 * once under strace -f -c (system calls counted, the tree compared with
 * plain's: paths, types, modes, sizes, mtimes, contents), then @reps timed
 * rounds with the methods interleaved (median), on a fresh destination each
 * time.
 */
function treeWorkload(name, pkg, trees, work, logs, argsFor, reps = 5) {
  const dests = {};
  const stats = {};
  const program = (m) => join(trees[m.which], packages[pkg].program);
  const reset = (m) => {
    rmSync(dests[m.label], { recursive: true, force: true });
    mkdirSync(dests[m.label], { recursive: true });
  };
  const results = [];
  let reference = null;
  for (const m of methods) {
    dests[m.label] = join(work, `${pkg}-${m.label}`);
    stats[m.label] = join(work, `${pkg}-${m.label}.stats`);
    rmSync(stats[m.label], { force: true });
    reset(m);
    const counted = countedRun(program(m), argsFor(dests[m.label]), {
      cwd: dests[m.label],
      env: m.env(stats[m.label]),
      log: join(logs, `${pkg}-${m.label}.log`),
    });
    const listing = treeListing(dests[m.label]);
    writeFileSync(join(logs, `${pkg}-${m.label}.listing`), listing);
    reference ??= listing;
    results.push({
      method: m.label,
      status: counted.status,
      syscalls: counted.syscalls,
      recorded: statsTotals(stats[m.label]).recorded,
      identical: listing === reference,
      times: [],
    });
  }
  for (let rep = 0; rep < reps; rep++) {
    methods.forEach((m, k) => {
      reset(m);
      const r = run(program(m), argsFor(dests[m.label]), {
        cwd: dests[m.label],
        env: m.env(join(work, "timed.stats")),
      });
      results[k].status ||= r.status;
      results[k].times.push(r.seconds);
    });
  }
  for (const r of results) {
    const sorted = [...r.times].sort((a, b) => a - b);
    r.seconds = sorted[Math.floor(sorted.length / 2)];
    delete r.times;
  }
  return { name, results };
}

function lighttpdWorkload(trees, work, logs, tree) {
  const requests = 20000;
  const results = [];
  let reference = null;
  for (const [i, m] of methods.entries()) {
    const server = join(trees[m.which], packages.lighttpd.program);
    const port = 18080 + i;
    const conf = join(work, `lighttpd-${m.label}.conf`);
    const stats = join(work, `lighttpd-${m.label}.stats`);
    rmSync(stats, { force: true });
    writeFileSync(
      conf,
      [
        `server.document-root = "${tree}"`,
        `server.port = ${port}`,
        `server.bind = "127.0.0.1"`,
        `server.errorlog = "${join(work, `lighttpd-${m.label}.error.log`)}"`,
        `server.max-keep-alive-requests = 0`,
        `mimetype.assign = ( "" => "application/octet-stream" )`,
        "",
      ].join("\n"),
    );
    const straceOut = join(logs, `lighttpd-${m.label}.strace`);
    const cmd =
      `strace -f -c -o ${straceOut} -- ${server} -D -f ${conf} -m ${join(trees[m.which], "src", ".libs")} & pid=$!; ` +
      `for k in $(seq 50); do ab -q -n 1 http://127.0.0.1:${port}/d000/f00 >/dev/null 2>&1 && break; sleep 0.1; done; ` +
      `ab -q -n ${requests} -c 8 http://127.0.0.1:${port}/d001/f01 > ${join(logs, `lighttpd-${m.label}.ab`)} 2>&1; ` +
      `curl -s http://127.0.0.1:${port}/d002/f02 | md5sum; ` +
      // SIGINT to strace would detach it, not end lighttpd: stop the
      // server itself (a graceful exit), and strace writes its table.
      `pkill -INT -f "lighttpd -D -f ${conf}"; wait $pid`;
    const r = run("sh", ["-c", cmd], {
      cwd: work,
      env: m.env(stats),
      log: join(logs, `lighttpd-${m.label}.log`),
    });
    const ab = existsSync(join(logs, `lighttpd-${m.label}.ab`))
      ? readFileSync(join(logs, `lighttpd-${m.label}.ab`), "utf8")
      : "";
    const failed = Number(/Failed requests:\s+(\d+)/.exec(ab)?.[1] ?? NaN);
    const rps = Number(/Requests per second:\s+([\d.]+)/.exec(ab)?.[1] ?? NaN);
    const text = existsSync(straceOut) ? readFileSync(straceOut, "utf8") : "";
    const body = r.stdout.trim();
    reference ??= body;
    results.push({
      method: m.label,
      status: failed === 0 ? 0 : 1,
      syscalls: straceTotal(text),
      requestsPerSecond: rps,
      recorded: statsTotals(stats).recorded,
      identical: body === reference && failed === 0,
    });
  }
  return { name: `lighttpd serving the tree, ab -n ${requests} -c 8 (under strace)`, results };
}

// ---- main ------------------------------------------------------------------

const o = parseArgs(process.argv.slice(2));
if (!existsSync(preloadLib)) {
  say("building the preload library");
  mustRun("make -C packages/preload", "make", ["-C", join(root, "packages", "preload")], {});
}
const srcRoot = join(cache, "src");
const resultsDir = join(cache, "results");
mkdirSync(resultsDir, { recursive: true });
// Trees and destinations in memory where there is a tmpfs: the disk's
// writeback moved the times by 3x from run to run.
const work = existsSync("/dev/shm") ? join("/dev/shm", "dbatch-realworld") : join(cache, "work");
mkdirSync(work, { recursive: true });
const tree = join(work, `tree-${o.files}`);
for (const pkg of o.pkgs) {
  const spec = packages[pkg];
  const srcName = sourceDirName(srcRoot, pkg);
  const logs = join(cache, "logs", pkg);
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const trees = {
    orig: join(cache, "build", `${pkg}-orig`),
    dbatch: join(cache, "build", `${pkg}-dbatch`),
  };
  const result = { package: srcName, date: new Date().toISOString().slice(0, 10) };
  try {
    aptInstall(spec.apt ?? [], logs);
    freshCopy(join(srcRoot, srcName), trees.orig);
    freshCopy(join(srcRoot, srcName), trees.dbatch);
    const files = spec.dirs.flatMap((d) => cFiles(join(trees.dbatch, d)));
    say(`${pkg}: dbatch-transform --write (${files.length} files)`);
    const t = run(
      transformBin,
      ["--write", "--report", "json", ...files.map((f) => relative(trees.dbatch, f))],
      { cwd: trees.dbatch, log: join(logs, "transform.log") },
    );
    if (t.status !== 0 && t.status !== 1) throw new Error(`dbatch-transform exit ${t.status}`);
    const summary = JSON.parse(t.stdout).summary;
    result.transform = {
      files: files.length,
      runs: summary.runs,
      batchedCalls: summary.batched,
    };
    result.build = {};
    const b1 = build(trees.orig, spec, logs, "orig");
    const b2 = build(trees.dbatch, spec, logs, "dbatch", `-I${preloadInclude}`);
    result.build = {
      orig: "ok",
      dbatch: "ok",
      seconds: Number((b1.seconds + b2.seconds).toFixed(0)),
    };
    if (o.suite) {
      result.suite = { plain: runSuite(trees.orig, spec, logs, "plain", {}) };
      for (const b of backends) {
        const stats = join(logs, `suite-${b}.stats`);
        rmSync(stats, { force: true });
        result.suite[b] = {
          ...runSuite(trees.dbatch, spec, logs, b, preloadEnv(b, stats)),
          ...statsTotals(stats),
        };
      }
    }
    if (o.workload) {
      makeTree(tree, o.files);
      const tarball = join(work, `tree-${o.files}.tar`);
      if (!existsSync(tarball)) mustRun("tar -cf", "tar", ["-cf", tarball, "-C", tree, "."], {});
      say(`${pkg}: workload`);
      if (pkg === "tar")
        result.workload = treeWorkload(
          `tar -xf of ${o.files} small files`,
          pkg,
          trees,
          work,
          logs,
          () => ["-xf", tarball],
        );
      if (pkg === "rsync")
        result.workload = treeWorkload(
          `rsync -a of ${o.files} small files to a new directory`,
          pkg,
          trees,
          work,
          logs,
          (dest) => ["-a", `${tree}/`, `${dest}/`],
        );
      if (pkg === "lighttpd") result.workload = lighttpdWorkload(trees, work, logs, tree);
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    say(`${pkg}: ${result.error}`);
  }
  writeFileSync(join(resultsDir, `${pkg}.json`), `${JSON.stringify(result, null, 2)}\n`);
  say(`${pkg}: wrote ${join(resultsDir, `${pkg}.json`)}`);
}
