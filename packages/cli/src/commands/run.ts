import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CliError, EXIT_OK } from "../errors.ts";
import { chooseBackend, preloadEnv } from "../program/backend.ts";
import { transformAndCompile } from "../program/compile.ts";
import type { TransformedSource } from "../program/compile.ts";
import { execProgram } from "../program/exec.ts";
import { ensurePreloadLib } from "../program/preload.ts";
import { batchModuleFor } from "@dbatch/kmod";
import { preloadTuningVariables } from "@dbatch/preload";
import { PRELOAD_GUEST_PATH, shellQuote } from "@dbatch/vm";
import { runInVmStreaming } from "../program/vm.ts";
import { parseCommandArgs, parseMinRun, say, splitAtDashDash } from "./common.ts";

export const runUsage = `Usage: dbatch run [--backend B] [--vm [--kernel K]] [--stats] [--keep]
                  [--min-run N] <file.c...> [-- args...]

Transform the sources into a temporary directory (the originals are never
modified), compile them with cc -O2 and <dbatch.h>, and run the program under
libdbatch-preload.so. stdin, stdout, stderr, the arguments after -- and the
working directory are the program's; dbatch exits with its exit code
(128+N when killed by signal N).

  --backend B   auto (default, or $DBATCH_BACKEND), kmod, uring, emulate, off
  --vm          run inside the qemu VM with batch.ko loaded (backend auto
                picks kmod there), with the working directory shared into
                the guest (9p): files land here, stdout and stderr stay
                apart, stdin is streamed in, the exit code is the
                program's, the library's tuning variables (DBATCH_ADAPT,
                DBATCH_KMOD_ALWAYS, ...) go along; a terminal and fds
                above 2 are not passed
  --kernel K    with --vm: the kernel to boot, a line (6.1, 6.12, 6.12-rt:
                the newest installed), a version or an image path (default
                6.1; bash scripts/kernels.sh 6.12 fetches the 6.12 line)
  --stats       print the batching stats at exit (DBATCH_STATS=1) and what
                the transform batched
  --keep        keep the temporary directory and say where it is
  --min-run N   as dbatch-transform --min-run (default 2)

Messages from dbatch itself go to stderr, start with 'dbatch', and appear
only with --stats (or DBATCH_STATS=1) or on errors.
`;

function describe(sources: readonly TransformedSource[]): string {
  return sources
    .map(
      (s) =>
        `${s.source}: ${s.runs} run${s.runs === 1 ? "" : "s"}, ${s.batchedCalls} call${s.batchedCalls === 1 ? "" : "s"} batched`,
    )
    .join("; ");
}

export async function runCommand(argv: string[]): Promise<number> {
  const { own, rest } = splitAtDashDash(argv);
  const { values, positionals } = parseCommandArgs("run", own, {
    backend: { type: "string" },
    vm: { type: "boolean" },
    kernel: { type: "string" },
    stats: { type: "boolean" },
    keep: { type: "boolean" },
    "min-run": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(runUsage);
    return EXIT_OK;
  }
  if (positionals.length === 0)
    throw new CliError("dbatch run: no source files given\nTry 'dbatch run --help'.");
  const backend = chooseBackend(values.backend);
  if (values.kernel !== undefined && !values.vm)
    throw new CliError("dbatch run: --kernel needs --vm\nTry 'dbatch run --help'.");
  const minRun = parseMinRun(values["min-run"]);
  const stats = values.stats === true || process.env.DBATCH_STATS === "1";
  const cwd = process.cwd();
  const lib = ensurePreloadLib();
  const work = mkdtempSync(join(tmpdir(), "dbatch-run-"));
  const firstSource = positionals[0] ?? "program.c";
  const program = join(work, basename(firstSource).replace(/\.c$/, "") || "program");
  try {
    const sources = transformAndCompile(positionals, cwd, work, program, minRun);
    if (stats) say(`transformed ${describe(sources)}`);
    if (values.vm) {
      const guestProgram = `/opt/dbatch/${basename(program)}`;
      // The library's tuning variables go along, as they would on the host.
      const tuning = preloadTuningVariables
        .filter((name) => process.env[name] !== undefined)
        .map((name) => `${name}=${shellQuote(process.env[name] ?? "")} `)
        .join("");
      const env = (stats ? "DBATCH_STATS=1 " : "") + tuning;
      const command =
        `${env}DBATCH_BACKEND=${backend} LD_PRELOAD=${PRELOAD_GUEST_PATH} ` +
        [guestProgram, ...rest].map(shellQuote).join(" ");
      if (stats) say(`booting the VM (qemu) with batch.ko loaded`);
      // Streamed into the guest as it arrives (a terminal is not passed).
      const stdin = process.stdin.isTTY ? undefined : process.stdin;
      // The working directory is shared into the guest at the same path
      // (getcwd() agrees) when that path is plain, else at /mnt/cwd.
      const guestCwd = /^\/[\w@%+=:,./-]*$/.test(cwd) ? cwd : "/mnt/cwd";
      const { code, result } = await runInVmStreaming({
        commands: [
          {
            run: command,
            cwd: guestCwd,
            stderr: "separate",
            ...(stdin === undefined ? {} : { stdin }),
          },
        ],
        files: [{ hostPath: program, guestPath: guestProgram, mode: 0o755 }],
        share: { hostPath: cwd, guestPath: guestCwd },
        loadModule: batchModuleFor,
        preload: true,
        ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
      });
      if (stats)
        say(
          `VM kernel ${result.kernelVersion}, batch.ko ${result.modulesLoaded.includes("batch.ko") ? "loaded" : "not loaded"}`,
        );
      return code;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LD_PRELOAD: preloadEnv(lib, process.env.LD_PRELOAD),
      DBATCH_BACKEND: backend,
    };
    if (stats) env.DBATCH_STATS = "1";
    // Ours (bin/dbatch), not the program's.
    delete env.DBATCH_INHERITED_FDS;
    const outcome = await execProgram(program, { args: rest, env, cwd, argv0: program });
    if (outcome.signal) say(`${firstSource}: the program was killed by ${outcome.signal}`);
    return outcome.code;
  } finally {
    if (values.keep) say(`kept ${work} (program: ${program})`);
    else rmSync(work, { recursive: true, force: true });
  }
}
