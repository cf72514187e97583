import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { EXIT_FAILED, EXIT_OK } from "../errors.ts";
import {
  hostKernel,
  moduleVermagic,
  noModuleSupportMessage,
  vmKernels,
  which,
} from "../program/kernel.ts";
import { buildProbes, probeBackend, probeUring } from "../program/probes.ts";
import type { BackendProbe } from "../program/probes.ts";
import { batchKoPath as kmodObject } from "@dbatch/kmod";
import { preloadLibraryPath as preloadLib } from "@dbatch/preload";
import { vmDir } from "@dbatch/vm";
import { parseCommandArgs } from "./common.ts";

export const doctorUsage = `Usage: dbatch doctor

Checks which backends work on this machine and why not, with the fix for each:
kernel module support, batch.ko, /dev/batch, io_uring (io_uring_setup is
actually called), kernel headers, liburing, qemu and a kernel image for the VM.
It builds two tiny probe programs and runs them under the preload library.
Exit 0 when at least one batching backend (kmod on the host, io_uring, or
kmod in the VM) works here, 1 otherwise.
`;

interface Check {
  name: string;
  state: "ok" | "no" | "info";
  detail: string;
  fix?: string;
}

function line(c: Check): string {
  const tag = c.state === "ok" ? " ok " : c.state === "no" ? " no " : "info";
  let out = `[${tag}] ${c.name}: ${c.detail}\n`;
  if (c.fix && c.state !== "ok") out += `       fix: ${c.fix}\n`;
  return out;
}

function probeDetail(p: BackendProbe): string {
  if (p.ok) return p.stats ?? "works";
  if (p.ran) return `asked for it, but the library used '${p.ran}' (${p.stats ?? ""})`;
  return `probe exited ${p.exitCode ?? "?"}${p.stderr ? `: ${p.stderr.split("\n")[0]}` : ""}`;
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("doctor", argv, { help: { type: "boolean", short: "h" } });
  if (values.help) {
    process.stdout.write(doctorUsage);
    return EXIT_OK;
  }
  const checks: Check[] = [];
  const out = (c: Check): void => {
    checks.push(c);
    process.stdout.write(line(c));
  };

  const cc = spawnSync(process.env.CC ?? "cc", ["--version"], { encoding: "utf8" });
  out({
    name: "C compiler",
    state: cc.status === 0 ? "ok" : "no",
    detail: cc.status === 0 ? (cc.stdout.split("\n")[0] ?? "cc") : "cc not found",
    fix: "apt-get install gcc make",
  });
  const libBuilt = existsSync(preloadLib);
  out({
    name: "preload library",
    state: libBuilt ? "ok" : "no",
    detail: libBuilt ? preloadLib : "not built",
    fix: "make -C packages/preload (dbatch run builds it when missing)",
  });

  // Host kernel module.
  const k = hostKernel();
  out({
    name: "kernel module support",
    state: k.modules ? "ok" : "no",
    detail: k.modules
      ? `kernel ${k.release} loads modules`
      : (noModuleSupportMessage(k).split("\n")[0] ?? ""),
    fix: "a kernel built with CONFIG_MODULES=y; or use the VM: dbatch vm -m",
  });
  if (k.modules) {
    out({
      name: "batch.ko loaded",
      state: k.batchLoaded ? "ok" : "no",
      detail: k.batchLoaded ? "batch is in /proc/modules" : "batch is not in /proc/modules",
      fix: "dbatch kmod build && dbatch kmod load",
    });
    out({
      name: "kernel headers (host)",
      state: k.headers ? "ok" : "no",
      detail: k.headers ?? `no /lib/modules/${k.release}/build`,
      fix: `apt-get install linux-headers-${k.release}`,
    });
  }
  out({
    name: "/dev/batch",
    state: k.devBatch === "ok" ? "ok" : "no",
    detail:
      k.devBatch === "ok"
        ? "opens read-write"
        : k.devBatch === "missing"
          ? "does not exist"
          : `cannot open (${k.devBatch})`,
    fix: k.modules ? "dbatch kmod load (as root)" : "not possible on this kernel; use dbatch vm",
  });

  // io_uring.
  let uringSysctl: string | null = null;
  try {
    uringSysctl = readFileSync("/proc/sys/kernel/io_uring_disabled", "utf8").trim();
  } catch {
    uringSysctl = null;
  }
  if (uringSysctl !== null) {
    out({
      name: "io_uring sysctl",
      state: uringSysctl === "0" ? "ok" : "no",
      detail: `kernel.io_uring_disabled=${uringSysctl}${uringSysctl === "1" ? " (only for io_uring_group members)" : uringSysctl === "2" ? " (disabled)" : ""}`,
      fix: "sysctl -w kernel.io_uring_disabled=0",
    });
  }
  const probes = buildProbes();
  try {
    const uring = probeUring(probes);
    out({
      name: "io_uring_setup",
      state: uring === null ? "no" : uring.errno === 0 ? "ok" : "no",
      detail:
        uring === null
          ? `probe not built (${probes.compileError ?? "?"})`
          : uring.errno === 0
            ? "allowed (a ring was created and closed)"
            : `refused: ${uring.text} (errno ${uring.errno})`,
      fix:
        uring && (uring.errno === 1 || uring.errno === 13)
          ? "io_uring is blocked by seccomp/container policy or the sysctl; run outside the sandbox or allow io_uring"
          : "a kernel with CONFIG_IO_URING=y (5.6 or later)",
    });
    out({
      name: "liburing headers",
      state: existsSync("/usr/include/liburing.h") ? "ok" : "info",
      detail: existsSync("/usr/include/liburing.h")
        ? "/usr/include/liburing.h"
        : "not installed (not needed by dbatch itself)",
      fix: "apt-get install liburing-dev",
    });

    // What the preload library actually does with each backend.
    const works: Record<string, BackendProbe | null> = { kmod: null, uring: null, emulate: null };
    if (libBuilt && probes.backend) {
      for (const b of Object.keys(works)) {
        const p = probeBackend(probes, preloadLib, b);
        works[b] = p;
        out({
          name: `backend ${b} (host)`,
          state: p.ok ? "ok" : "no",
          detail: probeDetail(p),
          fix: backendFix(b),
        });
      }
    } else {
      out({
        name: "backends (host)",
        state: "no",
        detail: libBuilt
          ? `probe not built (${probes.compileError ?? "?"})`
          : "not probed: the preload library is not built",
        fix: "make -C packages/preload",
      });
    }

    // The VM.
    const qemu = which("qemu-system-x86_64");
    out({
      name: "qemu",
      state: qemu ? "ok" : "no",
      detail: qemu ?? "qemu-system-x86_64 not found",
      fix: "apt-get install qemu-system-x86",
    });
    const kernels = vmKernels();
    const kernel =
      kernels.find((p) =>
        existsSync(`/lib/modules/${basename(p).replace(/^vmlinuz-/, "")}/build`),
      ) ?? kernels[0];
    out({
      name: "VM kernel image",
      state: kernel ? "ok" : "no",
      detail: kernel ?? "no /boot/vmlinuz-* (or $DBATCH_VM_KERNEL)",
      fix: "apt-get install linux-image-amd64",
    });
    const kver = kernel ? basename(kernel).replace(/^vmlinuz-/, "") : null;
    const vmHeaders =
      kver && existsSync(`/lib/modules/${kver}/build`) ? `/lib/modules/${kver}/build` : null;
    out({
      name: "VM kernel headers",
      state: vmHeaders ? "ok" : "no",
      detail: vmHeaders ?? `no headers for ${kver ?? "the VM kernel"}`,
      fix: "apt-get install linux-headers-amd64",
    });
    const vermagic = moduleVermagic(kmodObject);
    out({
      name: "batch.ko",
      state: vermagic ? "ok" : "info",
      detail: vermagic
        ? `built (vermagic ${vermagic})`
        : "not built yet (the VM rig builds it when needed)",
      fix: "dbatch kmod build",
    });
    const busybox = which("busybox");
    out({
      name: "busybox",
      state: busybox ? "ok" : "no",
      detail: busybox ?? "not found",
      fix: "apt-get install busybox",
    });
    let kvm = "no /dev/kvm";
    try {
      accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
      kvm = "/dev/kvm usable (the rig uses TCG anyway, for exact instruction counts)";
    } catch {
      // keep the message
    }
    out({ name: "kvm", state: "info", detail: kvm });
    const rig = existsSync(vmDir);
    out({
      name: "VM rig",
      state: rig ? "ok" : "no",
      detail: rig ? "@dbatch/vm (packages/vm)" : "missing",
      fix: "it ships with packages/kmod",
    });

    const vmReady = Boolean(qemu && kernel && (vmHeaders || vermagic) && busybox && rig);
    const hostKmod = works.kmod?.ok === true;
    const hostUring = works.uring?.ok === true;
    process.stdout.write("\nbackends here:\n");
    process.stdout.write(
      `  kmod (host)   ${hostKmod ? "works" : `no${k.modules ? "" : " (the kernel cannot load modules)"}`}\n`,
    );
    process.stdout.write(`  uring         ${hostUring ? "works" : "no"}\n`);
    process.stdout.write(
      `  emulate       ${works.emulate?.ok ? "works" : "no"} (runs the calls one by one in user space: no fewer transitions; for testing)\n`,
    );
    process.stdout.write("  off           works (the unbatched baseline)\n");
    process.stdout.write(
      `  kmod (VM)     ${vmReady ? "ready: dbatch run --vm prog.c, dbatch vm -m -- cmd" : "not ready (see above)"}\n`,
    );
    const batching = hostKmod || hostUring || vmReady;
    process.stdout.write(
      batching
        ? "\ndbatch doctor: at least one batching backend works here\n"
        : "\ndbatch doctor: no batching backend works here; see the fixes above\n",
    );
    return batching ? EXIT_OK : EXIT_FAILED;
  } finally {
    probes.dispose();
  }
}

function backendFix(backend: string): string {
  if (backend === "kmod") return "needs /dev/batch: dbatch kmod load (or dbatch vm)";
  if (backend === "uring") return "needs io_uring_setup to be allowed (see above)";
  return "rebuild the preload library: make -C packages/preload";
}
