// Building what the benchmark runs: its C program and the preload library.

import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { benchBuildDir, benchSource, preloadDir, preloadInclude, preloadLibrary } from "./paths.ts";
import { failureText, runProcess } from "./process.ts";

export const cFlags = ["-O2", "-Wall", "-Wextra"] as const;

function newerThan(target: string, sources: readonly string[]): boolean {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= built);
}

/** Compiles bench-c/dbatch-bench.c when it changed; returns the binary's path. */
export async function ensureBenchProgram(): Promise<string> {
  const out = join(benchBuildDir, "dbatch-bench");
  const header = join(preloadInclude, "dbatch.h");
  if (newerThan(out, [benchSource, header])) return out;
  mkdirSync(benchBuildDir, { recursive: true });
  const cc = process.env["CC"] ?? "cc";
  const result = await runProcess(cc, [...cFlags, "-I", preloadInclude, "-o", out, benchSource]);
  if (result.code !== 0) throw new Error(`building ${benchSource} failed: ${failureText(result)}`);
  return out;
}

export type PreloadState =
  { ok: true; path: string; note: string | null } | { ok: false; reason: string };

/** Runs `make -C packages/preload` (incremental) and says whether the library is there. */
export async function ensurePreload(): Promise<PreloadState> {
  if (!existsSync(join(preloadDir, "Makefile"))) {
    if (existsSync(preloadLibrary)) return { ok: true, path: preloadLibrary, note: null };
    return { ok: false, reason: "preload library not built and packages/preload/Makefile missing" };
  }
  const result = await runProcess("make", ["-s", "-C", preloadDir], { timeoutMs: 300_000 });
  if (result.code === 0 && existsSync(preloadLibrary))
    return { ok: true, path: preloadLibrary, note: null };
  if (existsSync(preloadLibrary)) {
    return {
      ok: true,
      path: preloadLibrary,
      note: `make -C packages/preload failed, using the existing library (${failureText(result)})`,
    };
  }
  return { ok: false, reason: `make -C packages/preload failed: ${failureText(result)}` };
}
