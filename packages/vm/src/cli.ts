// Command-line entry of the VM rig (`dbatch vm -- cmd` calls vmMain()).
//   tsx packages/vm/src/cli.ts [options] [--] command [args...]   (no -m: use `dbatch vm -m`)
// Streams the command's output to stdout and exits with its exit status;
// exits 125 with "dbatch-vm: ..." on stderr on an infrastructure failure
// (qemu, timeout, insmod) or a kernel problem found on the console.

import { writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { VM_INFRA_EXIT_CODE, VmError } from "./errors.ts";
import { runInVm, runVmShell } from "./run.ts";
import { shellQuote } from "./shell.ts";
import type { ModuleBuilder, VmCommand, VmFile, VmModule, VmResult } from "./types.ts";
import { isMainModule } from "./is-main.ts";

export const vmUsage = `Usage: dbatch vm [options] [--] command [args...]

Boots Debian's kernel in qemu (TCG) with busybox, glibc, the preload library
(at /opt/dbatch/libdbatch-preload.so) and the given files, runs the command(s)
and exits with the status of the first one that fails (else 0). One argument
after -- is shell text as is ('ls | wc -l'); several are quoted and joined.
Without a command: an interactive shell when on a terminal, else prints
uname, /proc/cmdline, lsmod and /dev/batch. --shell: an interactive shell on
the console after the commands (Ctrl-A X quits qemu).

options:
  -c, --command TEXT      a shell command to run (repeatable, in order)
  -u, --user              run the commands as uid 1000 (default: root)
  -m, --module            insmod /lib/modules/batch.ko first (built if stale)
      --module-params P   parameters for batch.ko
      --insmod KO[:PARAMS]  also insmod this module (repeatable)
  -f, --file HOST:GUEST[:MODE]  copy a host file or directory in (repeatable)
      --collect GUEST[:HOST]  copy a guest file out after the commands (default:
                          its name, in the current directory; repeatable)
  -e, --env NAME=VALUE    environment for the commands (repeatable)
      --cwd DIR           guest working directory (default /tmp)
      --icount            -icount shift=0,sleep=off (clock = instruction count)
      --memory MB         guest memory (default 512)
      --cpus N            guest CPUs (default 1)
      --timeout S         kill the VM after S seconds (default 300)
      --command-timeout S kill each command after S guest seconds
      --kernel K          kernel: a line (6.1, 6.12, 6.12-rt: the newest installed),
                          a version, or an image path (default: 6.1, or
                          $DBATCH_VM_KERNEL); scripts/kernels.sh fetches 6.12
      --no-preload        do not copy the preload library in
  -s, --shell             an interactive shell (after the commands, if any)
  -i, --stdin             feed our stdin to the (first) command
      --split-stderr      the commands' stderr to stderr (default: merged into stdout)
      --console           stream the kernel console to stderr
      --json              print the whole result as JSON on stdout, no streaming
  -h, --help
exit status: the command's, or ${VM_INFRA_EXIT_CODE} on a VM failure or kernel problem.`;

class UsageError extends Error {}

interface CliOptions {
  commands: string[];
  user: "root" | "user";
  files: VmFile[];
  collect: { guest: string; host: string }[];
  modules: VmModule[];
  env: Record<string, string>;
  loadModule: boolean;
  moduleParams?: string;
  cwd?: string;
  icount: boolean;
  memoryMb?: number;
  cpus?: number;
  timeoutSeconds?: number;
  commandTimeout?: number;
  kernel?: string;
  preload?: boolean;
  console: boolean;
  splitStderr: boolean;
  shell: boolean;
  stdin: boolean;
  json: boolean;
  help: boolean;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} needs a positive number, got ${JSON.stringify(value)}`);
  return n;
}

export function parseVmArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    commands: [],
    user: "root",
    files: [],
    collect: [],
    modules: [],
    env: {},
    loadModule: false,
    icount: false,
    console: false,
    splitStderr: false,
    shell: false,
    stdin: false,
    json: false,
    help: false,
  };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-")) break;
    switch (a) {
      case "-c":
      case "--command":
        o.commands.push(value(a));
        break;
      case "-u":
      case "--user":
        o.user = "user";
        break;
      case "-m":
      case "--module":
        o.loadModule = true;
        break;
      case "--module-params":
        o.moduleParams = value(a);
        break;
      case "--insmod": {
        const v = value(a);
        const at = v.indexOf(":");
        o.modules.push(
          at < 0
            ? { path: resolve(v) }
            : { path: resolve(v.slice(0, at)), params: v.slice(at + 1) },
        );
        break;
      }
      case "-f":
      case "--file": {
        const parts = value(a).split(":");
        const [host, guest, mode] = parts;
        if (!host || !guest || parts.length > 3)
          throw new UsageError(`--file wants HOST:GUEST[:MODE]`);
        const f: VmFile = { hostPath: resolve(host), guestPath: guest };
        if (mode !== undefined) f.mode = parseInt(mode, 8);
        o.files.push(f);
        break;
      }
      case "--collect": {
        const v = value(a);
        const at = v.indexOf(":");
        const guest = at < 0 ? v : v.slice(0, at);
        if (!guest.startsWith("/")) throw new UsageError(`--collect wants an absolute guest path`);
        o.collect.push({ guest, host: resolve(at < 0 ? basename(guest) : v.slice(at + 1)) });
        break;
      }
      case "-e":
      case "--env": {
        const v = value(a);
        const eq = v.indexOf("=");
        if (eq <= 0) throw new UsageError(`--env wants NAME=VALUE`);
        o.env[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      case "--cwd":
        o.cwd = value(a);
        break;
      case "--icount":
        o.icount = true;
        break;
      case "--memory":
        o.memoryMb = positiveNumber(a, value(a));
        break;
      case "--cpus":
        o.cpus = positiveNumber(a, value(a));
        break;
      case "--timeout":
        o.timeoutSeconds = positiveNumber(a, value(a));
        break;
      case "--command-timeout":
        o.commandTimeout = positiveNumber(a, value(a));
        break;
      case "--kernel":
        o.kernel = value(a);
        break;
      case "--no-preload":
        o.preload = false;
        break;
      case "--console":
        o.console = true;
        break;
      case "-s":
      case "--shell":
        o.shell = true;
        break;
      case "-i":
      case "--stdin":
        o.stdin = true;
        break;
      case "--split-stderr":
        o.splitStderr = true;
        break;
      case "--json":
        o.json = true;
        break;
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  const rest = argv.slice(i);
  if (rest.length === 1) o.commands.push(rest[0] ?? "");
  else if (rest.length > 1) o.commands.push(rest.map(shellQuote).join(" "));
  return o;
}

/** Runs `dbatch vm` with the given arguments; resolves to the process exit status. */
/** What the front end needs from the packages above it. */
export interface VmMainDeps {
  /** Builds batch.ko for a kernel version (for -m); without it, -m is an error. */
  batchModule?: ModuleBuilder;
}

export async function vmMain(argv: readonly string[], deps: VmMainDeps = {}): Promise<number> {
  let o: CliOptions;
  try {
    o = parseVmArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dbatch-vm: ${e.message}\n${vmUsage}\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    process.stdout.write(vmUsage + "\n");
    return 0;
  }
  if (o.loadModule && !deps.batchModule) {
    process.stderr.write("dbatch-vm: -m needs batch.ko's builder: run it as `dbatch vm -m`\n");
    return 2;
  }
  const loadModule = o.loadModule ? deps.batchModule : undefined;
  // `dbatch vm` alone on a terminal: a shell, like `docker run -it`.
  if (o.commands.length === 0 && !o.json && process.stdin.isTTY && process.stdout.isTTY)
    o.shell = true;
  if (o.shell) {
    try {
      return await runVmShell(
        {
          commands: o.commands.map((run) => ({ run, user: o.user, env: o.env })),
          files: o.files,
          modules: o.modules,
          ...(loadModule ? { loadModule } : {}),
          ...(o.moduleParams !== undefined ? { moduleParams: o.moduleParams } : {}),
          icount: o.icount,
          ...(o.memoryMb !== undefined ? { memoryMb: o.memoryMb } : {}),
          ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
          ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
          ...(o.preload !== undefined ? { preload: o.preload } : {}),
        },
        o.user,
      );
    } catch (e) {
      if (e instanceof VmError) {
        process.stderr.write(`${e.message}\n`);
        return VM_INFRA_EXIT_CODE;
      }
      throw e;
    }
  }
  let stdinData: Buffer | undefined;
  if (o.stdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    stdinData = Buffer.concat(chunks);
  }
  const texts =
    o.commands.length > 0
      ? o.commands
      : ["uname -a; cat /proc/cmdline; lsmod; ls -l /dev/batch 2>&1; ls /opt/dbatch 2>&1; true"];
  const commands: VmCommand[] = texts.map((run, index) => {
    const c: VmCommand = { run, user: o.user, env: o.env };
    if (o.splitStderr) c.stderr = "separate";
    if (stdinData !== undefined && index === 0) c.stdin = stdinData;
    if (o.cwd !== undefined) c.cwd = o.cwd;
    if (o.commandTimeout !== undefined) c.timeoutSeconds = o.commandTimeout;
    return c;
  });
  let result: VmResult;
  // Ctrl-C: stop qemu and clean up (the temporary initramfs) before exiting.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);
  try {
    result = await runInVm({
      signal: abort.signal,
      commands,
      files: o.files,
      collect: o.collect.map((c) => c.guest),
      modules: o.modules,
      ...(loadModule ? { loadModule } : {}),
      ...(o.moduleParams !== undefined ? { moduleParams: o.moduleParams } : {}),
      icount: o.icount,
      ...(o.memoryMb !== undefined ? { memoryMb: o.memoryMb } : {}),
      ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
      ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
      ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
      ...(o.preload !== undefined ? { preload: o.preload } : {}),
      ...(o.json
        ? {}
        : { onOutput: (_i: number, chunk: string) => void process.stdout.write(chunk) }),
      ...(o.json
        ? {}
        : { onStderr: (_i: number, chunk: string) => void process.stderr.write(chunk) }),
      ...(o.console && !o.json
        ? { onConsole: (chunk: string) => void process.stderr.write(chunk) }
        : {}),
    });
  } catch (e) {
    if (e instanceof VmError) {
      process.stderr.write(`${e.message}\n`);
      return VM_INFRA_EXIT_CODE;
    }
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigint);
  }
  if (abort.signal.aborted) {
    process.stderr.write("dbatch-vm: interrupted\n");
    return 130;
  }
  for (const c of o.collect) {
    const data = result.files[c.guest];
    if (data) writeFileSync(c.host, data);
    else result.errors.push(`dbatch-vm: ${c.guest}: no such file in the guest`);
  }
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  for (const err of result.errors) process.stderr.write(`${err}\n`);
  for (const p of result.problems) process.stderr.write(`dbatch-vm: kernel problem: ${p}\n`);
  if (result.errors.length > 0 || result.problems.length > 0) {
    if (!o.console && result.problems.length > 0) {
      process.stderr.write(
        "dbatch-vm: kernel console (tail):\n" +
          result.console.split("\n").slice(-40).join("\n") +
          "\n",
      );
    }
    return VM_INFRA_EXIT_CODE;
  }
  const failed = result.results.find((r) => r.exitCode !== 0);
  return failed ? failed.exitCode : 0;
}

if (isMainModule(import.meta.url)) {
  vmMain(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `dbatch-vm: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = VM_INFRA_EXIT_CODE;
    },
  );
}
