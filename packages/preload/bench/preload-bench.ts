// pnpm bench:preload - the seed workload (60 x write of 12 bytes to
// /dev/null, repeated) plain vs each host backend, in one run.
//
// Each method runs in its own process (build/preload-bench <mode> <reps>),
// which times every repetition of 60 writes with clock_gettime(MONOTONIC)
// and reports the median. Methods are interleaved over several rounds and
// the median of the rounds is printed, so a burst of load on the shared
// machine hits all methods alike. Compare ratios, not absolute numbers.
//
// Usage: pnpm bench:preload [-- --rounds N --reps N --json]
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(pkgDir, "build", "preload-bench");
const lib = join(pkgDir, "build", "libdbatch-preload.so");

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const rounds = opt("rounds", 5);
const reps = opt("reps", 2000);
const json = argv.includes("--json");

interface Method {
  id: string;
  label: string;
  mode: string;
  env?: Record<string, string>;
}
const methods: Method[] = [
  { id: "plain", label: "plain write() loop, no preload", mode: "plain" },
  {
    id: "off",
    label: "preload, DBATCH_BACKEND=off",
    mode: "batch",
    env: { DBATCH_BACKEND: "off" },
  },
  {
    id: "emulate",
    label: "preload, DBATCH_BACKEND=emulate",
    mode: "batch",
    env: { DBATCH_BACKEND: "emulate" },
  },
  {
    id: "uring",
    label: "preload, DBATCH_BACKEND=uring",
    mode: "batch",
    env: { DBATCH_BACKEND: "uring" },
  },
  {
    id: "uring-chain",
    label: "preload, uring without write coalescing (linked SQE chain)",
    mode: "batch",
    env: { DBATCH_BACKEND: "uring", DBATCH_URING_COALESCE: "0" },
  },
  { id: "liburing", label: "raw liburing, 60 SQEs, one submit (reference)", mode: "liburing" },
  { id: "plain-file", label: "regular file: plain write() loop", mode: "plain-file" },
  {
    id: "emulate-file",
    label: "regular file: emulate",
    mode: "batch-file",
    env: { DBATCH_BACKEND: "emulate" },
  },
  {
    id: "uring-file",
    label: "regular file: uring (one coalesced writev)",
    mode: "batch-file",
    env: { DBATCH_BACKEND: "uring" },
  },
  { id: "plain-alt", label: "alternating 2 fds: plain write() loop", mode: "plain-alt" },
  {
    id: "uring-alt",
    label: "alternating 2 fds: uring (no coalescing possible)",
    mode: "batch-alt",
    env: { DBATCH_BACKEND: "uring" },
  },
  {
    id: "record",
    label: "recording only (batch_start + 60 deferred writes)",
    mode: "record",
    env: { DBATCH_BACKEND: "emulate" },
  },
];

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (k !== "LD_PRELOAD" && !k.startsWith("DBATCH_")) env[k] = v;
  return env;
}

function runOnce(m: Method): number {
  const env = baseEnv();
  if (!["plain", "plain-alt", "plain-file", "liburing"].includes(m.mode))
    Object.assign(env, { LD_PRELOAD: lib, ...m.env });
  const r = spawnSync(bin, [m.mode, String(reps)], { env, encoding: "utf8" });
  const match = /median_ns_per_call=([\d.]+)/.exec(r.stdout);
  if (r.status !== 0 || !match) throw new Error(`${m.id}: ${r.stdout}${r.stderr}`);
  return Number(match[1]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const samples = new Map<string, number[]>(methods.map((m) => [m.id, []]));
for (let r = 0; r < rounds; r++) for (const m of methods) samples.get(m.id)!.push(runOnce(m));
const ns = new Map(methods.map((m) => [m.id, median(samples.get(m.id)!)]));
const plain = ns.get("plain")!;

/** Each row is compared with the plain loop of its own workload. */
const baseline = (id: string) =>
  id.endsWith("-alt") ? ns.get("plain-alt")! : id.endsWith("-file") ? ns.get("plain-file")! : plain;

const recordNs = ns.get("record")!;
const uringSpeedup = plain / ns.get("uring")!;
const targets = [
  {
    name: "recording <= 15 ns per deferred call",
    met: recordNs <= 15,
    value: `${recordNs.toFixed(1)} ns`,
  },
  {
    name: "uring >= 1.3x faster than plain",
    met: uringSpeedup >= 1.3,
    value: `${uringSpeedup.toFixed(2)}x`,
  },
];

if (json) {
  console.log(
    JSON.stringify(
      {
        workload: "60 x write(12 B) to /dev/null (and variants: regular file, alternating fds)",
        rounds,
        reps,
        nsPerCall: Object.fromEntries(ns),
        speedupVsPlain: Object.fromEntries(
          methods
            .filter((m) => m.id !== "record")
            .map((m) => [m.id, baseline(m.id) / ns.get(m.id)!]),
        ),
        targets,
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `dBatch preload benchmark: 60 x write(12 B) to /dev/null, ${reps} repetitions x ${rounds} rounds per method`,
  );
  console.log(`(median per call; speed-up = the same workload's plain loop / method;`);
  console.log(` wall clock on a shared machine: compare ratios)\n`);
  console.log(`${"method".padEnd(62)} ${"ns/call".padStart(9)} ${"vs plain".padStart(9)}`);
  for (const m of methods) {
    const v = ns.get(m.id)!;
    const base = baseline(m.id);
    const ratio = m.id === "record" ? "" : `${(base / v).toFixed(2)}x`;
    console.log(`${m.label.padEnd(62)} ${v.toFixed(1).padStart(9)} ${ratio.padStart(9)}`);
  }
  console.log("");
  for (const t of targets)
    console.log(`target ${t.met ? "met" : "missed"}: ${t.name} (${t.value})`);
  console.log("hardware counters: not used (perf cycles are not supported on these machines)");
}
