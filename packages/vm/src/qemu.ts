// One qemu boot (TCG): the serial ports (console, control, stderr), a 9p
// share and a streamed stdin, the timeout, and the result.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { problemsByCommand } from "./console.ts";
import { ControlParser } from "./control.ts";
import { VmError } from "./errors.ts";
import type { VmCommandResult, VmOptions, VmResult } from "./types.ts";

export function qemuBaseArgs(
  options: VmOptions,
  kernel: string,
  initrd: string,
  loglevel: string,
): string[] {
  const append = [
    "console=ttyS0",
    loglevel,
    "panic=-1",
    "random.trust_cpu=on",
    // Crypto self-tests are half of the boot's instructions (matters under icount).
    "cryptomgr.notests",
    // TCG on a shared host runs the guest slowly against a real-time clock:
    // give RCU-stall and soft-lockup reports a larger margin (60 s) so that a
    // starved VM is not reported as a kernel problem; real hangs still are.
    "rcupdate.rcu_cpu_stall_timeout=60",
    "watchdog_thresh=30",
    options.kernelArgs ?? "",
  ]
    .filter(Boolean)
    .join(" ");
  const args = [
    "-nodefaults",
    "-display",
    "none",
    "-no-reboot",
    "-accel",
    "tcg",
    "-m",
    String(options.memoryMb ?? 512),
    "-smp",
    String(options.cpus ?? 1),
    "-kernel",
    kernel,
    "-initrd",
    initrd,
    "-append",
    append,
  ];
  if (options.icount) args.push("-icount", "shift=0,sleep=off");
  if (options.share) {
    // security_model=none: files the guest makes are the host user's.
    const path = resolve(options.share.hostPath).replace(/,/g, ",,");
    args.push(
      "-fsdev",
      `local,id=share,path=${path},security_model=none`,
      "-device",
      "virtio-9p-pci,fsdev=share,mount_tag=dbatch_share",
    );
  }
  return args;
}

export interface BootParams {
  options: VmOptions;
  kernel: string;
  bootImage: string;
  kernelVersion: string;
  initrd: string;
  work: string;
  token: string;
  modules: { label: string; guest: string; params: string }[];
  t0: number;
  stdinStream?: NodeJS.ReadableStream;
}

export function findQemu(): string {
  for (const dir of (process.env.PATH ?? "/usr/bin").split(":")) {
    const p = join(dir, "qemu-system-x86_64");
    if (existsSync(p)) return p;
  }
  throw new VmError("dbatch-vm: qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
}

export async function boot(p: BootParams): Promise<VmResult> {
  const { options, token } = p;
  const commands = options.commands;
  const consolePath = join(p.work, "console.log");
  const errSocket = join(p.work, "stderr.sock");
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const args = [
    ...qemuBaseArgs(options, p.bootImage, p.initrd, "loglevel=5"),
    "-chardev",
    `file,id=con,path=${consolePath}`,
    "-serial",
    "chardev:con",
    "-chardev",
    "stdio,id=ctl,signal=off",
    "-serial",
    "chardev:ctl",
    // ttyS2: stderr of commands with stderr: "separate". qemu waits for the host to connect.
    "-chardev",
    `socket,id=err,path=${errSocket},server=on,wait=on`,
    "-serial",
    "chardev:err",
  ];
  // A streamed stdin: a virtio-serial port the host writes into; closing
  // the connection is the guest's end of file.
  const inSocket = join(p.work, "stdin.sock");
  if (p.stdinStream)
    args.push(
      "-device",
      "virtio-serial-pci,id=vser",
      "-chardev",
      `socket,id=stdin,path=${inSocket},server=on,wait=on`,
      "-device",
      "virtserialport,bus=vser.0,chardev=stdin,name=dbatch.stdin",
    );

  const started = Date.now();
  const parser = new ControlParser(token, commands.length, started, options.onOutput);
  const errParser = new ControlParser(token, commands.length, started, options.onStderr);
  const errDecoder = new StringDecoder("utf8");
  let errConn: Socket | null = null;
  let stopped = false;
  let errClosed: () => void = () => undefined;
  const errDone = new Promise<void>((res) => {
    errClosed = res;
  });
  const connectErr = (): void => {
    if (stopped) return;
    const sock = createConnection(errSocket);
    sock.on("connect", () => {
      errConn = sock;
    });
    sock.on("close", () => {
      if (errConn === sock) errClosed();
    });
    sock.on("data", (b: Buffer) => errParser.feed(errDecoder.write(b)));
    sock.on("error", () => {
      if (errConn !== sock) setTimeout(connectErr, 50);
    });
  };
  let inConn: Socket | null = null;
  const connectIn = (stream: NodeJS.ReadableStream): void => {
    if (stopped) return;
    const sock = createConnection(inSocket);
    sock.on("connect", () => {
      inConn = sock;
      stream.pipe(sock);
    });
    // After the connection: the guest went away first (EPIPE); before: retry.
    sock.on("error", () => {
      if (inConn !== sock) setTimeout(() => connectIn(stream), 50);
    });
  };
  const child = spawn(findQemu(), args, { stdio: ["pipe", "pipe", "pipe"] });
  const decoder = new StringDecoder("utf8");
  let qemuStderr = "";
  child.stdout.on("data", (b: Buffer) => parser.feed(decoder.write(b)));
  connectErr();
  if (p.stdinStream) connectIn(p.stdinStream);
  child.stderr.on("data", (b: Buffer) => {
    qemuStderr += b.toString();
  });

  let consoleSeen = 0;
  const pollConsole = (): void => {
    if (!options.onConsole || !existsSync(consolePath)) return;
    const buf = readFileSync(consolePath);
    if (buf.length > consoleSeen) {
      options.onConsole(buf.subarray(consoleSeen).toString("utf8"));
      consoleSeen = buf.length;
    }
  };
  const poller = options.onConsole ? setInterval(pollConsole, 200) : null;

  let timedOut = false;
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    child.kill("SIGKILL");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const exit = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    spawnError?: Error;
  }>((res) => {
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("error", (err) => {
      clearTimeout(timer);
      res({ code: null, signal: null, spawnError: err });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal });
    });
  });
  if (poller) clearInterval(poller);
  options.signal?.removeEventListener("abort", onAbort);
  stopped = true;
  if (inConn !== null) {
    p.stdinStream?.unpipe(inConn as Socket);
    (inConn as Socket).destroy();
  }
  if (errConn !== null) {
    // qemu has exited, so the socket is closing: let the last bytes arrive.
    await Promise.race([errDone, new Promise((res) => setTimeout(res, 2000))]);
    (errConn as Socket).destroy();
  }
  pollConsole();
  parser.feed(decoder.end());
  parser.flush();
  errParser.feed(errDecoder.end());
  errParser.flush();

  const consoleText = existsSync(consolePath)
    ? readFileSync(consolePath, "utf8").replace(/\r\n/g, "\n")
    : "";
  const { all: problems, byCommand } = problemsByCommand(consoleText);
  const errors: string[] = [];
  if (exit.spawnError) errors.push(`dbatch-vm: cannot start qemu: ${exit.spawnError.message}`);
  if (aborted) {
    errors.push("dbatch-vm: aborted; qemu killed");
  } else if (timedOut) {
    const where =
      parser.ready === null
        ? "before the guest finished booting"
        : parser.begins.size > parser.ends.size
          ? `while running command ${[...parser.begins.keys()].find((i) => !parser.ends.has(i))}`
          : "after the last command";
    errors.push(`dbatch-vm: VM timed out after ${timeoutSeconds} s (${where}); qemu killed`);
  } else if (!parser.done && !exit.spawnError) {
    errors.push(
      `dbatch-vm: the VM stopped before finishing (qemu exit ${exit.code ?? exit.signal})` +
        (qemuStderr.trim() ? `: ${qemuStderr.trim()}` : "") +
        (parser.ready === null ? "; the guest never became ready (see the console)" : ""),
    );
  }
  const modulesLoaded: string[] = [];
  for (const m of parser.insmods) {
    if (m.rc === 0) modulesLoaded.push(m.label);
    else errors.push(`dbatch-vm: insmod ${m.label} failed (exit ${m.rc}): ${m.message}`);
  }
  if (parser.skipped.size > 0)
    errors.push(
      `dbatch-vm: ${parser.skipped.size} command(s) skipped because a module did not load`,
    );

  const results: VmCommandResult[] = commands.map((cmd, i) => {
    const end = parser.ends.get(i);
    const begin = parser.begins.get(i);
    return {
      run: cmd.run,
      user: cmd.user ?? "root",
      exitCode: end ? end.rc : -1,
      output: parser.outputs[i] ?? "",
      stderr: errParser.outputs[i] ?? "",
      timedOut: end?.timedOut ?? false,
      seconds: end && begin !== undefined ? Math.round((end.uptime - begin) * 1000) / 1000 : 0,
      problems: byCommand.get(i) ?? [],
    };
  });
  for (const r of results) if (r.timedOut) errors.push(`dbatch-vm: command timed out: ${r.run}`);
  const ok = errors.length === 0 && problems.length === 0 && results.every((r) => r.exitCode === 0);
  return {
    results,
    console: consoleText,
    problems,
    errors,
    ok,
    bootSeconds: parser.ready ? Math.round(parser.ready.hostSeconds * 100) / 100 : -1,
    totalSeconds: Math.round((Date.now() - p.t0) / 10) / 100,
    kernel: p.kernel,
    kernelVersion: p.kernelVersion,
    modulesLoaded,
    files: Object.fromEntries(
      (options.collect ?? []).map((path, j): [string, Buffer | null] => {
        const lines = parser.fileLines.get(j);
        return [path, lines ? Buffer.from(lines.join(""), "base64") : null];
      }),
    ),
  };
}

/** Host path of the rig's trivial test module source (hello.ko: param warn=1 triggers WARN_ON on load). */
