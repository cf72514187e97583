// batch.ko in the VM: one boot runs every C test program (test/c), the fuzz
// run as an unprivileged user, the preload differential suite with
// DBATCH_BACKEND=kmod, and finally rmmod; the console must show no
// Oops/BUG/WARNING/Call Trace. Host-side: modinfo, checkpatch, sparse.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { applyEditsWithLineDirectives, transformSource } from "@dbatch/transform";
import { ensurePreloadBuilt, preloadIncludeDir } from "@dbatch/preload";
import {
  PRELOAD_GUEST_PATH,
  resolveKernel,
  runInVm,
  shellQuote,
  type VmCommand,
  type VmFile,
  type VmResult,
} from "@dbatch/vm";
import { batchModuleFor } from "../index.ts";
import { buildC, kmodDir, repoDir } from "./helpers.ts";

const FUZZ_BATCHES = Number(process.env.DBATCH_FUZZ_BATCHES ?? 100000);
const programs = [
  "smoke",
  "badinput",
  "allowlist",
  "seccomp",
  "signal",
  "mt",
  "restart",
  "refuse",
  "memcg",
];
/**
 * The differential programs run in the VM with the kmod backend: the
 * preload suite's (fixtures/programs) and the adversarial ones
 * (fixtures/adversarial, built as `dbatch run` builds them: #line directives,
 * both copies named main.c and prog, so __FILE__ and argv[0] agree).
 */
interface Differential {
  /** The test label and the plan label prefix. */
  readonly id: string;
  readonly name: string;
  readonly dir: string;
  readonly adversarial: boolean;
}
const differentials: Differential[] = (
  [
    ["programs", false],
    ["adversarial", true],
  ] as const
).flatMap(([set, adversarial]) => {
  const base = join(repoDir, "fixtures", set);
  return readdirSync(base)
    .filter((n) => existsSync(join(base, n, "main.c")))
    .sort()
    .map((name) => ({
      id: `${adversarial ? "adv" : "fx"}-${name}`,
      name,
      dir: join(base, name),
      adversarial,
    }));
});

interface Planned {
  label: string;
  index: number;
}
const planned: Planned[] = [];
const commands: VmCommand[] = [];
const files: VmFile[] = [];
let vm: VmResult | undefined;
let setupError = "";

function plan(label: string, cmd: VmCommand): void {
  planned.push({ label, index: commands.length });
  commands.push(cmd);
}

function result(label: string) {
  const p = planned.find((x) => x.label === label);
  assert.ok(vm, `the VM did not run: ${setupError}`);
  assert.ok(p, `no command ${label}`);
  const r = vm!.results[p!.index];
  assert.ok(r, `no result for ${label}`);
  return r!;
}

function setup(): void {
  batchModuleFor(resolveKernel().version);
  ensurePreloadBuilt();
  for (const name of programs) {
    const bin = buildC(join(kmodDir, "test", "c", `${name}.c`), { flags: ["-static"] });
    files.push({ hostPath: bin, guestPath: `/opt/kt/${name}`, mode: 0o755 });
    plan(name, { run: `/opt/kt/${name}`, timeoutSeconds: 120 });
  }
  const pk = buildC(join(kmodDir, "test", "c", "preload_kmod.c"));
  files.push({ hostPath: pk, guestPath: "/opt/kt/preload_kmod", mode: 0o755 });
  for (const mode of ["", "seccomp"]) {
    const label = mode ? "preload_kmod_seccomp" : "preload_kmod";
    plan(label, {
      run: `/opt/kt/preload_kmod ${mode}; rc=$?; echo "--stats"; cat /tmp/${label}.stats; exit $rc`,
      env: {
        LD_PRELOAD: PRELOAD_GUEST_PATH,
        DBATCH_BACKEND: "kmod",
        // every batch to the module, however small (the cost rule is adapt's)
        DBATCH_KMOD_ALWAYS: "1",
        DBATCH_STATS_FILE: `/tmp/${label}.stats`,
      },
      timeoutSeconds: 60,
    });
  }
  // The preload's adaptive-site test, with the module's own cost rule (no
  // DBATCH_KMOD_ALWAYS): windows without a run of writes to merge run as
  // plain calls, and such a site stops recording.
  const adapt = buildC(join(repoDir, "packages", "preload", "test", "c", "adapt.c"), {
    flags: ["-I", preloadIncludeDir],
  });
  files.push({ hostPath: adapt, guestPath: "/opt/kt/adapt", mode: 0o755 });
  plan("adapt", {
    run: `mkdir -p /tmp/adapt && cd /tmp/adapt && /opt/kt/adapt; rc=$?; echo "--stats"; cat /tmp/adapt.stats; exit $rc`,
    env: {
      LD_PRELOAD: PRELOAD_GUEST_PATH,
      DBATCH_BACKEND: "kmod",
      DBATCH_STATS_FILE: "/tmp/adapt.stats",
    },
    timeoutSeconds: 60,
  });
  const fuzz = buildC(join(kmodDir, "test", "c", "fuzz.c"), { flags: ["-static"] });
  files.push({ hostPath: fuzz, guestPath: "/opt/kt/fuzz", mode: 0o755 });
  plan("fuzz", { run: `/opt/kt/fuzz ${FUZZ_BATCHES} 12345`, user: "user", timeoutSeconds: 300 });

  // The differential programs, backend kmod: original vs transformed.
  for (const d of differentials) {
    const source = readFileSync(join(d.dir, "main.c"), "utf8");
    const result = transformSource(source, { fileName: "main.c" });
    const out = d.adversarial
      ? applyEditsWithLineDirectives(source, result.edits, "main.c")
      : result.output;
    const origText = d.adversarial ? `#line 1 "main.c"\n${source}` : source;
    const orig = buildC(join(d.dir, "main.c"), {
      name: `${d.id}-orig`,
      text: origText,
      flags: ["-O1", "-w"],
    });
    const batched = buildC(join(d.dir, "main.c"), {
      name: `${d.id}-batched`,
      text: out,
      flags: ["-O1", "-w", "-I", preloadIncludeDir],
    });
    files.push({ hostPath: orig, guestPath: `/opt/fx/orig/${d.id}/prog`, mode: 0o755 });
    files.push({ hostPath: batched, guestPath: `/opt/fx/kmod/${d.id}/prog`, mode: 0o755 });
    const args = existsSync(join(d.dir, "args"))
      ? readFileSync(join(d.dir, "args"), "utf8").trim().split(/\s+/).map(shellQuote).join(" ")
      : "";
    let stdin = "/dev/null";
    if (existsSync(join(d.dir, "stdin"))) {
      files.push({
        hostPath: join(d.dir, "stdin"),
        guestPath: `/opt/fx/${d.id}.stdin`,
        mode: 0o644,
      });
      stdin = `/opt/fx/${d.id}.stdin`;
    }
    for (const mode of ["orig", "kmod"]) {
      const w = `/tmp/fx/${mode}/${d.id}`;
      const env =
        mode === "kmod"
          ? `LD_PRELOAD=${PRELOAD_GUEST_PATH} DBATCH_BACKEND=kmod DBATCH_KMOD_ALWAYS=1 DBATCH_STATS_FILE=${w}/stats `
          : "";
      plan(`fx:${mode}:${d.id}`, {
        run: [
          `mkdir -p ${w}/cwd && cd ${w}/cwd || exit 99`,
          `${env}/opt/fx/${mode}/${d.id}/prog ${args} <${stdin} >${w}/out 2>${w}/err; echo "rc=$?"`,
          `echo "--out"; cat ${w}/out; echo "--err"; cat ${w}/err; echo "--files"`,
          `find . | sort | while read f; do if [ -f "$f" ]; then md5sum "$f"; else echo "$f"; fi; done`,
          `echo "--stats"; cat ${w}/stats 2>/dev/null; true`,
        ].join("\n"),
        timeoutSeconds: 60,
      });
    }
  }
  plan("rmmod", {
    run: "rmmod batch && ! grep -q '^batch ' /proc/modules && ! test -e /dev/batch && echo unloaded",
  });
}

test.before(async () => {
  try {
    setup();
    // 2 vCPUs: the processes and threads of mt and the fuzz run really run at once.
    vm = await runInVm({
      commands,
      files,
      loadModule: batchModuleFor,
      preload: true,
      cpus: 2,
      timeoutSeconds: 900,
    });
  } catch (e) {
    setupError = e instanceof Error ? e.message : String(e);
  }
});

test("modinfo tells what batch.ko is", () => {
  const ko = batchModuleFor(resolveKernel().version);
  const info = execFileSync("/sbin/modinfo", [ko], { encoding: "utf8" });
  assert.match(info, /^description:\s+dBatch: run a batch of allow-listed system calls/m);
  assert.match(info, /^author:\s+The dBatch authors/m);
  assert.match(info, /^license:\s+GPL/m);
  assert.match(info, /^version:\s+\d+\.\d+\.\d+/m);
});

// The kernel of this run of the matrix (scripts/test.mjs sets DBATCH_VM_KERNEL).
test(`the VM booted the kernel asked for (${process.env.DBATCH_VM_KERNEL ?? "default"})`, () => {
  assert.ok(vm, `the VM did not run: ${setupError}`);
  assert.is(vm!.kernelVersion, resolveKernel().version);
  process.stdout.write(`  (kernel ${vm!.kernelVersion})`);
});

test("the VM ran, batch.ko loaded, no kernel problems on the console", () => {
  assert.ok(vm, `the VM did not run: ${setupError}`);
  assert.equal(vm!.errors, [], "rig errors");
  assert.equal(vm!.problems, [], "kernel problems");
  assert.ok(vm!.modulesLoaded.includes("batch.ko"), "batch.ko not loaded");
});

for (const name of programs) {
  test(`${name}: passes in the VM`, () => {
    const r = result(name);
    assert.match(r.output, new RegExp(`RESULT ${name} PASS`), r.output);
    assert.is(r.exitCode, 0, r.output);
  });
}

test("preload kmod backend: one ioctl per flush, results as emulate", () => {
  const r = result("preload_kmod");
  assert.match(r.output, /RESULT preload_kmod PASS/, r.output);
  assert.is(r.exitCode, 0, r.output);
  const stats = r.output.split("--stats")[1] ?? "";
  assert.match(stats, /backend=kmod recorded=15 flushes=2 kernel_entries=2\b/, stats);
});

test("preload kmod backend, cost rule: windows that cannot gain run as plain calls, their site stops recording", () => {
  const r = result("adapt");
  assert.is(r.exitCode, 0, r.output);
  assert.match(r.output, /^ok$/m, r.output);
  const stats = r.output.split("--stats")[1] ?? "";
  // 4 windows of 2 writes recorded, found no-gain and run as 8 plain calls;
  // 8 more not recorded at all (the site is direct); 12 merged windows of 5
  // writes, one ioctl each: 68 recorded, 16 flushes, 8 + 12 kernel entries.
  assert.match(
    stats,
    /backend=kmod recorded=68 flushes=16 kernel_entries=20 splits=4 split_reason=no-gain:4$/m,
    stats,
  );
});

test("preload kmod backend under seccomp: the module refuses, the library emulates", () => {
  const r = result("preload_kmod_seccomp");
  assert.match(r.output, /RESULT preload_kmod_seccomp PASS/, r.output);
  assert.is(r.exitCode, 0, r.output);
  const stats = r.output.split("--stats")[1] ?? "";
  const ke = Number(stats.match(/kernel_entries=(\d+)/)?.[1]);
  assert.ok(ke > 2, `calls went through the kernel one by one: ${stats}`);
});

test(`fuzz: ${FUZZ_BATCHES} random batches as uid 1000, every answer by the rules`, () => {
  const r = result("fuzz");
  assert.match(r.output, /RESULT fuzz PASS/, r.output);
  const m = r.output.match(/fuzz: uid (\d+), (\d+) batches/);
  assert.ok(m, r.output);
  assert.is(Number(m![1]), 1000);
  assert.ok(Number(m![2]) >= FUZZ_BATCHES);
  assert.is(r.exitCode, 0);
});

function parts(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key = "rc";
  for (const line of output.split("\n")) {
    const m = line.match(/^--(out|err|files|stats)$/);
    if (m) {
      key = m[1]!;
      continue;
    }
    out[key] = (out[key] ?? "") + line + "\n";
  }
  return out;
}

for (const d of differentials) {
  test(`differential ${d.id} [kmod in the VM] matches the original`, () => {
    const o = parts(result(`fx:orig:${d.id}`).output);
    const k = parts(result(`fx:kmod:${d.id}`).output);
    const limitsPath = join(d.dir, "known-limits.json");
    const limit = existsSync(limitsPath)
      ? (JSON.parse(readFileSync(limitsPath, "utf8")) as Record<string, string>)["kmod"]
      : undefined;
    const differing = ["rc", "out", "err", "files"].filter(
      (key) => (k[key] ?? "") !== (o[key] ?? ""),
    );
    if (limit) {
      assert.ok(differing.length > 0, `${d.id}: a known limit (${limit}) that now matches`);
      return;
    }
    for (const key of ["rc", "out", "err", "files"]) {
      assert.is(k[key] ?? "", o[key] ?? "", `${d.id}: ${key} differs`);
    }
    // A program the transform leaves alone, or one killed by a signal (no
    // stats line then), has nothing to show here.
    const killed = Number(/^rc=(\d+)/.exec(o["rc"] ?? "")?.[1] ?? 0) >= 128;
    if (existsSync(join(d.dir, "untouched")) || killed) return;
    const stats = (k["stats"] ?? "").split("\n").filter((l) => l.startsWith("dbatch: "));
    assert.ok(stats.length >= 1, `${d.id}: no stats line`);
    assert.ok(
      stats.every((l) => /backend=kmod/.test(l)),
      `${d.id}: not run with the kmod backend: ${stats.join(" / ")}`,
    );
    const flushes = stats.reduce((s, l) => s + Number(l.match(/flushes=(\d+)/)?.[1] ?? 0), 0);
    assert.ok(flushes > 0, `${d.id}: nothing flushed: ${stats.join(" / ")}`);
  });
}

test("rmmod afterwards: the module unloads cleanly", () => {
  const r = result("rmmod");
  assert.match(r.output, /unloaded/, r.output);
  assert.is(r.exitCode, 0);
});

test("checkpatch.pl --no-tree -f: no errors, no warnings", () => {
  const r = spawnSync(join(kmodDir, "scripts", "checkpatch.sh"), [], { encoding: "utf8" });
  if (r.status === 2 && /no \/usr\/src\/linux-source/.test(r.stderr)) {
    console.log("  (skipped: linux-source-6.1 not installed)");
    return;
  }
  const totals = [...r.stdout.matchAll(/total: (\d+) errors, (\d+) warnings/g)];
  assert.ok(totals.length > 0, r.stdout + r.stderr);
  for (const t of totals)
    assert.is(`${t[1]} errors, ${t[2]} warnings`, "0 errors, 0 warnings", r.stdout);
});

test("sparse (make C=2): no warnings", () => {
  const r = spawnSync("make", ["-C", kmodDir, "C=2"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const warnings = (r.stdout + r.stderr).split("\n").filter((l) => /: (warning|error):/.test(l));
  assert.equal(warnings, []);
});

test.run();
