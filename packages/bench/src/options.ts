// `dbatch bench` command line.

import { defaultMethods, methodNames } from "./methods.ts";
import type { MethodName, WorkloadName } from "./types.ts";
import { defaultWorkloads, workloadNames } from "./workloads.ts";

export interface BenchOptions {
  calls: number;
  /** Call counts measured: [calls], or the --sweep list. */
  sweep: number[];
  reps: number;
  warmup: number;
  rounds: number;
  workloads: WorkloadName[];
  methods: MethodName[];
  vm: boolean;
  host: boolean;
  perf: boolean;
  /** Time the CLI's start-up against prettier's (host only). */
  startup: boolean;
  /** MB of the generated C file whose transform's peak memory is measured (0: none). */
  largeMb: number;
  json: boolean;
  plot: string | null;
  markdown: string | null;
  quiet: boolean;
  help: boolean;
}

export const usage = `Usage: dbatch bench [options]

Runs the seed's experiment (60 x write 12 B) and more workloads with each
method side by side: plain, the preload backends, the kernel module (in the
VM) and the writev floor. Prints a table (or JSON) with ratios against plain.

  --calls N          system calls per repetition (default 60)
  --sweep LIST       comma-separated call counts (e.g. 1,2,4,8,60,512): every
                     method at each count, plus a fixed + per-call fit
  --reps N           timed repetitions per method (default 60)
  --warmup N         untimed repetitions before them (default 5)
  --rounds N         interleave methods in N rounds on the host (default 3)
  --quick            tiny sizes for tests: --calls 12 --reps 5 --warmup 1 --rounds 1
  --workloads LIST   comma-separated: ${workloadNames.join(",")}
                     (default ${defaultWorkloads.join(",")})
  --methods LIST     comma-separated: ${methodNames.join(",")}
                     (default ${defaultMethods.join(",")}; ioctl is raw
                     /dev/batch and runs in the VM only)
  --no-vm            skip the VM (guest instruction counts, kmod)
  --no-host          skip the host timings
  --no-perf          skip perf stat (hardware counters)
  --no-startup       skip the CLI's own measurements on the host: start-up
                     (dbatch and dbatch-transform against prettier) and the
                     large file
  --large-mb N       size of the generated C file whose transform's peak
                     memory is measured (default 20; 0 skips it)
  --json             print the JSON document on stdout instead of the table
  --plot FILE.svg    draw the per-repetition figure and per-call bars
  --markdown FILE    write the report as Markdown (docs/benchmarks.md)
  --quiet            no progress lines on stderr
  -h, --help         this text
`;

export class UsageError extends Error {}

function count(flag: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new UsageError(`${flag} needs a whole number`);
  const n = Number(value);
  if (n < min || n > 1_000_000) throw new UsageError(`${flag} must be between ${min} and 1000000`);
  return n;
}

function list<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] {
  if (value === undefined || value === "")
    throw new UsageError(`${flag} needs a comma-separated list`);
  const items = value.split(",");
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(
        `${flag}: unknown ${JSON.stringify(item)} (one of ${allowed.join(", ")})`,
      );
    }
  }
  return allowed.filter((a) => items.includes(a));
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    calls: 60,
    sweep: [],
    reps: 60,
    warmup: 5,
    rounds: 3,
    workloads: [...defaultWorkloads],
    methods: [...defaultMethods],
    vm: true,
    host: true,
    perf: true,
    startup: true,
    largeMb: 20,
    json: false,
    plot: null,
    markdown: null,
    quiet: false,
    help: false,
  };
  const explicit = new Set<string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "--calls":
        o.calls = count(flag, value(), 1);
        break;
      case "--sweep": {
        const v = value();
        if (v === undefined || v === "")
          throw new UsageError("--sweep needs a comma-separated list");
        o.sweep = [...new Set(v.split(",").map((n) => count(flag, n, 1)))].sort((a, b) => a - b);
        break;
      }
      case "--reps":
        o.reps = count(flag, value(), 1);
        break;
      case "--warmup":
        o.warmup = count(flag, value(), 0);
        break;
      case "--rounds":
        o.rounds = count(flag, value(), 1);
        break;
      case "--quick":
        quick = true;
        break;
      case "--workloads":
        o.workloads = list(flag, value(), workloadNames);
        break;
      case "--methods":
        o.methods = list(flag, value(), methodNames);
        break;
      case "--no-vm":
        o.vm = false;
        break;
      case "--no-host":
        o.host = false;
        break;
      case "--no-perf":
        o.perf = false;
        break;
      case "--no-startup":
        o.startup = false;
        break;
      case "--large-mb":
        o.largeMb = count(flag, value(), 0);
        break;
      case "--json":
        o.json = true;
        break;
      case "--plot": {
        const v = value();
        if (!v) throw new UsageError("--plot needs a file name");
        o.plot = v;
        break;
      }
      case "--markdown": {
        const v = value();
        if (!v) throw new UsageError("--markdown needs a file name");
        o.markdown = v;
        break;
      }
      case "--quiet":
        o.quiet = true;
        break;
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
    if (
      inline !== undefined &&
      ![
        "--calls",
        "--sweep",
        "--reps",
        "--warmup",
        "--rounds",
        "--workloads",
        "--methods",
        "--plot",
        "--markdown",
      ].includes(flag)
    ) {
      throw new UsageError(`${flag} takes no value`);
    }
    explicit.add(flag);
  }
  if (quick) {
    if (!explicit.has("--calls")) o.calls = 12;
    if (!explicit.has("--reps")) o.reps = 5;
    if (!explicit.has("--warmup")) o.warmup = 1;
    if (!explicit.has("--rounds")) o.rounds = 1;
  }
  if (o.sweep.length === 0) o.sweep = [o.calls];
  else if (explicit.has("--calls")) throw new UsageError("--calls and --sweep: give one of them");
  if (!o.methods.includes("plain"))
    throw new UsageError("--methods must include plain: every ratio is against it");
  if (!o.host && !o.vm) throw new UsageError("--no-host and --no-vm leave nothing to measure");
  return o;
}
