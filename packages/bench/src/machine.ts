// What the run was measured on.

import { readFileSync } from "node:fs";
import { cpus, hostname, loadavg, release, totalmem } from "node:os";
import type { MachineInfo } from "./types.ts";

function cpuModel(): string {
  const first = cpus()[0];
  return first ? first.model.trim() : "unknown";
}

function osName(): string {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    return m ? (m[1] as string) : "unknown";
  } catch {
    return "unknown";
  }
}

export function machineInfo(extra: MachineInfo): MachineInfo {
  const [load1] = loadavg();
  return {
    hostname: hostname(),
    os: osName(),
    kernel: release(),
    arch: process.arch,
    cpu: cpuModel(),
    cores: cpus().length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage1m: Math.round((load1 ?? 0) * 100) / 100,
    node: process.version,
    date: new Date().toISOString(),
    ...extra,
  };
}
