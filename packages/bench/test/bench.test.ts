// `dbatch bench` with tiny sizes: the structure of its JSON, the plot's SVG,
// the table's target lines. No timing is asserted: only shape and sanity.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { preloadLibraryPath } from "@dbatch/preload";
import { ensureBenchProgram } from "../src/build.ts";
import { median } from "../src/stats.ts";
import { parseBenchArgs, UsageError } from "../src/options.ts";
import { parsePerfCsv } from "../src/perf-counters.ts";
import { parsePreloadStats, parseProgramOutput } from "../src/program-output.ts";
import { splitRounds } from "../src/host-runner.ts";
import { dropFallbacks } from "../src/backend-check.ts";
import { buildReport } from "../src/json.ts";
import type { BenchRun } from "../src/run.ts";
import { measureStartup } from "../src/startup.ts";
import { judgeTargets } from "../src/targets.ts";
import type { Measurement, MethodName, Skipped, Where } from "../src/types.ts";

const benchMain = join(import.meta.dirname, "..", "src", "main.ts");
const scratch = mkdtempSync(join(tmpdir(), "dbatch-bench-test-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function bench(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, ["--import", "tsx", benchMain, ...args], {
    encoding: "utf8",
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function keysOf(v: unknown): string[] {
  assert.ok(isRecord(v), `expected an object, got ${JSON.stringify(v)}`);
  return Object.keys(v).sort();
}

// One quick host run shared by the structural tests (with the plot).
const svgPath = join(scratch, "bench.svg");
const mdPath = join(scratch, "bench.md");
const quick = bench([
  "--quick",
  "--no-vm",
  "--json",
  "--quiet",
  "--plot",
  svgPath,
  "--markdown",
  mdPath,
]);

test("quick host run exits 0 and prints only JSON on stdout", () => {
  assert.is(quick.status, 0, quick.stderr);
  assert.not.throws(() => JSON.parse(quick.stdout));
});

test("JSON has exactly the documented fields, finite numbers, consistent where/unit", () => {
  const doc: unknown = JSON.parse(quick.stdout);
  assert.equal(keysOf(doc), ["machine", "workloads"]);
  assert.ok(isRecord(doc));
  assert.ok(isRecord(doc["machine"]));
  const workloads = doc["workloads"];
  assert.ok(Array.isArray(workloads));
  assert.equal(
    workloads.map((w: unknown) => (isRecord(w) ? w["name"] : null)),
    ["seed", "tmpfs", "files", "unlink", "alt", "example", "logrotate"],
  );
  for (const w of workloads) {
    assert.equal(keysOf(w), ["calls", "name", "results"]);
    assert.ok(isRecord(w));
    assert.ok(Number.isInteger(w["calls"]) && (w["calls"] as number) > 0);
    const results = w["results"];
    assert.ok(Array.isArray(results) && results.length > 0);
    const methods = new Set<string>();
    for (const r of results) {
      assert.equal(keysOf(r), [
        "kernelEntries",
        "max",
        "median",
        "method",
        "min",
        "perCall",
        "speedup",
        "unit",
        "where",
      ]);
      assert.ok(isRecord(r));
      for (const k of ["perCall", "min", "median", "max", "speedup"]) {
        const v = r[k];
        assert.type(v, "number");
        assert.ok(Number.isFinite(v as number) && (v as number) > 0, `${k} = ${String(v)}`);
      }
      assert.ok((r["min"] as number) <= (r["median"] as number));
      assert.ok((r["median"] as number) <= (r["max"] as number));
      assert.ok(r["where"] === "host" || r["where"] === "vm");
      assert.is(r["unit"], r["where"] === "host" ? "ns" : "instructions");
      const key = `${String(r["where"])}/${String(r["method"])}`;
      assert.not.ok(methods.has(key), `duplicate ${key}`);
      methods.add(key);
      if (r["method"] === "plain") assert.is(r["speedup"], 1);
      // Counted by the kernel: the plain program makes at least one system call per call.
      const entries = r["kernelEntries"];
      assert.ok(entries === null || (typeof entries === "number" && entries >= 0));
      if (r["method"] === "plain" && entries !== null)
        assert.ok((entries as number) >= (w["calls"] as number), `plain made ${String(entries)}`);
    }
    assert.ok(methods.has("host/plain"), `${String(w["name"])} has no host plain row`);
    assert.not.ok(
      [...methods].some((m) => m.startsWith("vm/")),
      "--no-vm measured in the VM",
    );
    assert.not.ok(methods.has("host/kmod"), "kmod on the host");
  }
  const seed = workloads[0] as Record<string, unknown>;
  assert.is(seed["calls"], 12);
  const seedMethods = (seed["results"] as Record<string, unknown>[]).map((r) => r["method"]);
  assert.ok(seedMethods.includes("writev"), "the writev floor applies to the seed workload");
  const files = workloads[2] as Record<string, unknown>;
  const fileMethods = (files["results"] as Record<string, unknown>[]).map((r) => r["method"]);
  assert.not.ok(fileMethods.includes("writev"), "no writev floor for open/write/close");
});

test("stderr says what was not measured (the VM), never silently", () => {
  assert.match(quick.stderr, /not measured: vm all/);
  assert.match(quick.stderr, /target (pass|fail|not measured): kmod/);
});

test("the SVG is well-formed XML with one box per host method of the seed workload, no lines", () => {
  const svg = readFileSync(svgPath, "utf8");
  assert.is(XMLValidator.validate(svg), true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
  const tree: unknown = parser.parse(svg);
  assert.ok(isRecord(tree) && isRecord(tree["svg"]), "root element is <svg>");
  // vega-lite's boxplot draws each box as a rect with role description "box";
  // the repetitions are a distribution, not a line an outlier would dominate.
  const boxes = svg.match(/aria-roledescription="box"/g)?.length ?? 0;
  const doc = JSON.parse(quick.stdout) as { workloads: { results: { where: string }[] }[] };
  const seedHost = doc.workloads[0]?.results.filter((r) => r.where === "host").length ?? 0;
  assert.is(boxes, seedHost);
  assert.not.match(svg, /class="mark-line/);
  for (const method of ["plain", "writev"])
    assert.ok(svg.includes(`>${method}<`), `legend shows ${method}`);
});

test("the Markdown page names the command, the machine and the targets", () => {
  const md = readFileSync(mdPath, "utf8");
  assert.match(md, /^# dBatch benchmarks/);
  assert.match(md, /pnpm exec dbatch bench --quick --no-vm/);
  assert.match(md, /## Machine/);
  assert.match(md, /\| (PASS|FAIL|NOT MEASURED) +\| kmod/);
  assert.match(md, /hardware counters (not supported here|not measured)|IPC/);
});

test("the table prints target lines and hardware counter support", () => {
  const r = bench(["--quick", "--no-vm", "--quiet", "--workloads", "seed", "--reps", "2"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| (PASS|FAIL|NOT MEASURED) +\| uring, seed workload, host/);
  assert.match(r.stdout, /\| (PASS|FAIL|NOT MEASURED) +\| recording, host/);
  assert.match(r.stdout, /hardware counters not supported here: |\| plain +\| +\d/);
  assert.match(r.stdout, /not measured: vm all methods: --no-vm/);
});

test("one small VM boot: a sweep of plain, writev, kmod and raw ioctl with fits, or an explicit reason", () => {
  const r = bench([
    "--quick",
    "--no-host",
    "--json",
    "--quiet",
    "--workloads",
    "seed,refused",
    "--methods",
    "plain,writev,kmod,ioctl",
    "--sweep",
    "4,12",
    "--reps",
    "3",
  ]);
  assert.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    workloads: {
      name: string;
      calls: number;
      results: { method: string; where: string; unit: string; speedup: number }[];
    }[];
    fits?: { workload: string; method: string; points: number; perCall: number }[];
  };
  const rows = doc.workloads.flatMap((w) => w.results);
  assert.ok(
    rows.every((x) => x.where === "vm" && x.unit === "instructions"),
    "only VM rows",
  );
  const measured = new Set(rows.map((x) => x.method));
  for (const method of ["plain", "writev", "kmod", "ioctl"]) {
    if (measured.has(method)) continue;
    // Not measured is allowed (no qemu, module not built) but must be said.
    assert.match(
      r.stderr,
      new RegExp(`not measured: vm (all|${method})`),
      `${method}: ${r.stderr}`,
    );
  }
  if (measured.has("plain")) {
    assert.is(rows.find((x) => x.method === "plain")?.speedup, 1);
    assert.ok(measured.has("writev"), "writev runs wherever plain does");
    assert.equal(
      doc.workloads.filter((w) => w.name === "seed").map((w) => w.calls),
      [4, 12],
      "one report per call count of the sweep",
    );
    const fit = doc.fits?.find((f) => f.workload === "seed" && f.method === "plain");
    assert.is(fit?.points, 2, JSON.stringify(doc.fits));
    assert.ok((fit?.perCall ?? 0) > 100, "a plain write costs hundreds of instructions");
  }
  if (measured.has("ioctl")) {
    // The program checks every entry's result (ENOSYS for the refused number)
    // and exits 1 otherwise, so a row means the module answered as it should.
    const refused = doc.workloads.find((w) => w.name === "refused");
    assert.ok(
      refused?.results.some((x) => x.method === "ioctl"),
      r.stderr,
    );
  }
});

test("usage errors exit 2", () => {
  for (const args of [
    ["--calls"],
    ["--calls", "0"],
    ["--workloads", "nope"],
    ["--methods", "uring"],
    ["--bogus"],
  ]) {
    const r = bench([...args, "--no-vm", "--quiet"]);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^dbatch bench: /);
  }
  assert.is(bench(["--help"]).status, 0);
});

test("the C program: every workload in every host mode, checked results, clear errors", async () => {
  const program = await ensureBenchProgram();
  const dir = mkdtempSync(join(scratch, "c-"));
  const hostModes: Record<string, string[]> = {
    seed: ["batch", "record", "writev", "liburing"],
    tmpfs: ["batch", "record", "writev", "liburing"],
    files: ["batch", "record"],
    unlink: ["batch", "record"],
    alt: ["batch", "record", "liburing"],
    badfd: ["batch", "record", "liburing"],
    lseek: ["batch", "record"],
    refused: ["batch", "record"],
    example: ["batch", "record"],
    logrotate: ["batch", "record"],
  };
  for (const [workload, modes] of Object.entries(hostModes)) {
    for (const mode of modes) {
      const r = spawnSync(program, [workload, mode, "6", "2", "1", dir], { encoding: "utf8" });
      assert.is(r.status, 0, `${workload} ${mode}: ${r.stderr}`);
      const run = parseProgramOutput(r.stdout);
      assert.is(run.perRep.length, 2, `${workload} ${mode}`);
      // example: 4 calls an item, logrotate 5: the count rounds to whole items
      const expected = workload === "example" ? 4 : workload === "logrotate" ? 5 : 6;
      assert.is(run.calls, expected, `${workload} ${mode}`);
    }
  }
  // badfd under a preload backend: the flush fails, as expected, and is not fatal.
  const preloaded = spawnSync(program, ["badfd", "batch", "6", "2", "1", dir], {
    encoding: "utf8",
    env: { ...process.env, LD_PRELOAD: preloadLibraryPath, DBATCH_BACKEND: "emulate" },
  });
  assert.is(preloaded.status, 0, preloaded.stderr);
  const wrongMode = spawnSync(program, ["files", "writev", "6", "2", "1", dir], {
    encoding: "utf8",
  });
  assert.is(wrongMode.status, 2);
  assert.match(wrongMode.stderr, /workload files has no mode writev/);
  const missing = spawnSync(program, ["tmpfs", "batch", "6", "2", "1", join(dir, "nope")], {
    encoding: "utf8",
  });
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /^dbatch-bench: .*nope\/tmpfs-writes: No such file/);
});

test("counted kernel entries: batched opens, writes and closes make no call plain does not", async () => {
  const program = await ensureBenchProgram();
  const dir = mkdtempSync(join(scratch, "entries-"));
  const count = (workload: string, backend: string | null): number | null => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (backend !== null)
      Object.assign(env, { LD_PRELOAD: preloadLibraryPath, DBATCH_BACKEND: backend });
    const r = spawnSync(program, [workload, "batch", "60", "3", "1", dir], {
      encoding: "utf8",
      env,
    });
    assert.is(r.status, 0, `${workload} ${backend ?? "plain"}: ${r.stderr}`);
    return parseProgramOutput(r.stdout).kernelEntries;
  };
  const plainSeed = count("seed", null);
  if (plainSeed === null) {
    console.log("  SKIPPED: this kernel does not let the benchmark count system calls");
    return;
  }
  assert.is(plainSeed, 60, "plain: one system call per write");
  // 60 writes to /dev/null merged: one submission (the ring's setup is outside the timed part).
  assert.ok((count("seed", "uring") ?? Infinity) <= 2, "uring merges the seed's writes");
  // Where the kernel may not count (batch.ko refuses traced tasks), the
  // library's own count over the same repetitions says the same.
  const library = (workload: string, backend: string): number | null => {
    const r = spawnSync(program, [workload, "batch", "60", "3", "1", dir], {
      encoding: "utf8",
      env: {
        ...process.env,
        LD_PRELOAD: preloadLibraryPath,
        DBATCH_BACKEND: backend,
        DBATCH_BENCH_NO_COUNT: "test",
      },
    });
    assert.is(r.status, 0, `${workload} ${backend}: ${r.stderr}`);
    return parseProgramOutput(r.stdout).libraryEntries;
  };
  assert.is(library("seed", "uring"), count("seed", "uring"), "uring seed: library = kernel");
  assert.is(library("example", "emulate"), count("example", "emulate"), "emulate example");
  for (const workload of ["example", "files", "logrotate"]) {
    const plain = count(workload, null);
    for (const backend of ["emulate", "uring"]) {
      const batched = count(workload, backend);
      assert.ok(
        batched !== null && plain !== null && batched <= plain,
        `${workload} ${backend}: ${String(batched)} kernel entries per repetition, plain ${String(plain)}`,
      );
    }
  }
});

test("options: --sweep sorts and dedupes counts, excludes --calls", () => {
  assert.equal(parseBenchArgs(["--sweep", "60,1,8,1"]).sweep, [1, 8, 60]);
  assert.equal(parseBenchArgs([]).sweep, [60]);
  assert.equal(parseBenchArgs(["--quick"]).sweep, [12]);
  assert.throws(
    () => parseBenchArgs(["--sweep", "1,8", "--calls", "5"]),
    (e: unknown) => e instanceof UsageError,
  );
  assert.throws(
    () => parseBenchArgs(["--sweep", "1,x"]),
    (e: unknown) => e instanceof UsageError,
  );
});

test("options: --quick sets tiny sizes, explicit flags win", () => {
  const o = parseBenchArgs(["--quick", "--reps", "3"]);
  assert.equal([o.calls, o.reps, o.warmup, o.rounds], [12, 3, 1, 1]);
  assert.equal(parseBenchArgs(["--workloads=unlink,seed"]).workloads, ["seed", "unlink"]);
  assert.throws(
    () => parseBenchArgs(["--no-vm", "--no-host"]),
    (e: unknown) => e instanceof UsageError,
  );
});

test("helpers: median, rounds, program output, preload stats, perf CSV", () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 2, 3]), 2.5);
  assert.equal(splitRounds(10, 3), [4, 3, 3]);
  assert.equal(splitRounds(2, 3), [1, 1]);
  assert.equal(
    parseProgramOutput(
      "bench workload=seed mode=batch calls=3 rep=1 cost=10\ndbatch: backend=x\nbench calls=3 rep=2 cost=20\n",
    ),
    {
      calls: 3,
      perRep: [10, 20],
      kernelEntries: null,
      kernelEntriesUnsupported: "no entries line",
      libraryEntries: null,
      countedReps: 0,
    },
  );
  // (2 counted by the library + 4 x 2 calls - 6 it recorded) / 2 repetitions
  assert.is(
    parseProgramOutput(
      "bench calls=4 rep=1 cost=10\nentries calls=4 reps=2 unsupported=x library_entries=2 library_recorded=6\n",
    ).libraryEntries,
    2,
  );
  assert.equal(
    parseProgramOutput(
      "bench calls=3 rep=1 cost=10\nentries workload=seed mode=batch calls=3 reps=4 total=14\n",
    ).kernelEntries,
    3.5,
  );
  assert.equal(
    parseProgramOutput(
      "bench calls=3 rep=1 cost=10\nentries calls=3 reps=4 unsupported=no-tracefs\n",
    ).kernelEntriesUnsupported,
    "no-tracefs",
  );
  assert.throws(() => parseProgramOutput("bench calls=3 rep=1 cost=10\nentries reps=0 total=x\n"));
  assert.throws(() => parseProgramOutput("oops\n"));
  assert.throws(() => parseProgramOutput("bench calls=x cost=1\n"));
  const stats = parsePreloadStats(
    "x\ndbatch: backend=uring recorded=120 flushes=2 kernel_entries=4\n",
    2,
  );
  assert.equal(stats, {
    backend: "uring",
    recordedPerRep: 60,
    flushesPerRep: 1,
    kernelEntriesPerRep: 2,
  });
  assert.is(parsePreloadStats("nothing\n", 1), null);
  const perf = parsePerfCsv(
    "<not supported>,,instructions,0,100.00,,\n49,,page-faults,979781,100.00,,\n1234,,cycles:u,1,100.00,,\n",
  );
  assert.is(perf.get("instructions"), null);
  assert.is(perf.get("page-faults"), 49);
  assert.is(perf.get("cycles"), 1234);
});

function measurement(
  method: MethodName,
  where: Where,
  perRep: number[],
  backend: string | null,
): Measurement {
  return {
    workload: "seed",
    method,
    where,
    unit: where === "host" ? "ns" : "instructions",
    calls: 60,
    perRep,
    preloadStats:
      backend === null
        ? null
        : { backend, recordedPerRep: 60, flushesPerRep: 1, kernelEntriesPerRep: 1 },
    kernelEntries: null,
  };
}

const synthetic: Measurement[] = [
  measurement("plain", "host", [6000, 6060, 9000], null),
  measurement("uring", "host", [4000, 4200, 4100], "uring"),
  measurement("record", "host", [600, 590, 610], "emulate"),
  measurement("plain", "vm", [36000, 36000], null),
  measurement("kmod", "vm", [24000, 24000], "kmod"),
  measurement("uring", "vm", [30000, 30000], "emulate"),
];

test("a backend fallback drops the row and says so; speedups are plain / method per place", () => {
  const skipped: Skipped[] = [];
  const kept = dropFallbacks(synthetic, skipped);
  assert.equal(
    kept.map((m) => `${m.where}/${m.method}`),
    ["host/plain", "host/uring", "host/record", "vm/plain", "vm/kmod"],
  );
  assert.is(skipped.length, 1);
  assert.match(skipped[0]?.reason ?? "", /DBATCH_BACKEND=uring .* backend=emulate/);
  const { report } = buildReport({ hostname: "test" }, kept);
  const rows = report.workloads[0]?.results ?? [];
  const row = (method: string, where: string) =>
    rows.find((r) => r.method === method && r.where === where);
  assert.is(row("plain", "host")?.perCall, 101);
  assert.ok(Math.abs((row("uring", "host")?.speedup ?? 0) - 6060 / 4100) < 1e-9);
  assert.is(row("kmod", "vm")?.speedup, 1.5);
  assert.is(row("kmod", "vm")?.unit, "instructions");
  const byName = (list: ReturnType<typeof judgeTargets>) =>
    Object.fromEntries(list.map((t) => [t.name, t.verdict]));
  const targets = byName(judgeTargets(report, null));
  // uring host 1.48x and kmod VM 1.5x: neither loses, kmod is short of 3.0x,
  // recording at 10 ns is above 8; nothing else was measured.
  assert.equal(targets, {
    "uring never loses, host": "pass",
    "emulate never loses, host": "not measured",
    "kmod never loses, vm": "pass",
    "uring never loses, vm": "not measured",
    "kmod-always, seed example, vm": "not measured",
    "uring-always, seed example, host": "not measured",
    "emulate, seed example, host": "not measured",
    "kmod, seed workload, VM": "fail",
    "uring, seed workload, host": "not measured",
    "kmod fixed cost per batch, VM": "not measured",
    "recording, VM": "not measured",
    "recording, host": "fail",
    "start-up, help, host": "not measured",
    "start-up, check one file, host": "not measured",
    "large input, host": "not measured",
  });
  // The seed example's kernel entries: per run of 4 calls, counted.
  const example = (method: MethodName, where: Where, entries: number): Measurement => ({
    ...measurement(method, where, [400, 400, 400], null),
    workload: "example",
    calls: 8,
    kernelEntries: entries,
  });
  const counted = byName(
    judgeTargets(
      buildReport({}, [
        example("plain", "host", 8),
        example("emulate", "host", 8),
        example("uring-always", "host", 6),
        example("plain", "vm", 8),
        example("kmod", "vm", 8),
        example("kmod-always", "vm", 2),
      ]).report,
      null,
    ),
  );
  assert.is(counted["emulate, seed example, host"], "pass");
  assert.is(counted["uring-always, seed example, host"], "fail");
  assert.is(counted["kmod-always, seed example, vm"], "pass");
  // judged with every batch sent; the cost rule's own count is shown beside it
  const kmodExample = judgeTargets(
    buildReport({}, [
      example("plain", "vm", 8),
      example("kmod", "vm", 8),
      example("kmod-always", "vm", 2),
    ]).report,
    null,
  ).find((t) => t.name === "kmod-always, seed example, vm");
  assert.is(kmodExample?.measured, "1.00 kernel entries per run (counted); by its cost rule 4.00");
  const pair = (name: string, ours: number, reference: number) => ({
    name,
    ours: { command: "ours", medianMs: ours, minMs: ours },
    reference: { command: "ref", medianMs: reference, minMs: reference },
    ratio: reference / ours,
  });
  const large = (mb: number, ...ratios: number[]) => ({
    mb,
    runs: ratios.map((ratio, i) => ({
      mode: i === 0 ? ("--check" as const) : ("--write" as const),
      seconds: 1,
      peakMb: ratio * mb,
      ratio,
    })),
  });
  const startup = judgeTargets(report, {
    reps: 3,
    pairs: [pair("help", 100, 150), pair("check one file", 200, 150)],
    largeFile: large(19.1, 9.5, 10.2),
  });
  assert.equal(
    startup.slice(-3).map((t) => t.verdict),
    ["pass", "fail", "fail"],
  );
  assert.match(startup.at(-2)?.measured ?? "", /^200 ms vs 150 ms \(0\.75x\)$/);
  assert.match(
    startup.at(-1)?.measured ?? "",
    /--check 181 MB \(9\.5x\), --write 195 MB \(10\.2x\)/,
  );
  const verdictOf = (largeFile: ReturnType<typeof large> | null) =>
    judgeTargets(report, { reps: 3, pairs: [], largeFile }).at(-1)?.verdict;
  assert.is(verdictOf(large(19.1, 9.5, 9.9)), "pass");
  // A small file (--large-mb 1) does not judge the 20 MB goal; nor does none.
  assert.is(verdictOf(large(1, 5, 5)), "not measured");
  assert.is(verdictOf(null), "not measured");
});

test("start-up timing: each pair interleaved, ratio = reference / ours", () => {
  const slow = join(scratch, "slow.sh");
  writeFileSync(slow, "#!/bin/sh\nsleep 0.05\n", { mode: 0o755 });
  const r = measureStartup(
    {
      dbatch: "/bin/true",
      transform: "/bin/true",
      prettier: slow,
      cFile: "x.c",
      prettierFile: "x.ts",
    },
    3,
  );
  assert.equal(
    r.pairs.map((p) => [p.name, p.ours.command, p.reference.command]),
    [
      ["help", "true --help", "slow.sh --help"],
      ["check one file", "true --check x.c", "slow.sh --check x.ts"],
    ],
  );
  for (const p of r.pairs) {
    assert.ok(p.reference.medianMs >= 50, `sleep 0.05 took ${p.reference.medianMs} ms`);
    assert.ok(p.ratio > 1, `true starts faster than sleep: ${p.ratio}`);
    assert.ok(p.ours.minMs <= p.ours.medianMs);
  }
});

test("plot of a synthetic run: valid SVG, seed lines from the host, VM bars", async () => {
  const skipped: Skipped[] = [];
  const measurements = dropFallbacks(synthetic, skipped);
  const { report } = buildReport({}, measurements);
  const run: BenchRun = {
    command: "test",
    callCounts: [60],
    reps: 3,
    warmup: 0,
    rounds: 1,
    report,
    measurements,
    skipped,
    notes: [],
    counters: null,
    startup: null,
    targets: judgeTargets(report, null),
  };
  // Loaded lazily: vega is ESM with top-level await, which uvu's require hook cannot compile.
  const { renderPlot } = (await import("../src/plot.ts")) as typeof import("../src/plot.ts");
  const svg = await renderPlot(run);
  assert.is(XMLValidator.validate(svg), true);
  assert.ok(svg.includes("guest instructions"), "a VM panel");
  assert.ok(svg.includes(">kmod<"), "kmod in the legend");
});

test.run();
