// Building what the benchmark runs: its C program and the preload library.

import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ensurePreloadBuilt,
  preloadCFlags,
  preloadIncludeDir,
  preloadLibraryPath,
} from "@dbatch/preload";
import { benchBuildDir, benchSource } from "./paths.ts";
import { failureText, runProcess } from "./process.ts";

export const cFlags = ["-O2", "-Wall", "-Wextra"] as const;

function newerThan(target: string, sources: readonly string[]): boolean {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= built);
}

/** Compiles c/dbatch-bench.c when it changed; returns the binary's path. */
export async function ensureBenchProgram(): Promise<string> {
  const out = join(benchBuildDir, "dbatch-bench");
  const header = join(preloadIncludeDir, "dbatch.h");
  // A failed build leaves no stale binary behind: the next run tries again.
  if (newerThan(out, [benchSource, header])) return out;
  mkdirSync(benchBuildDir, { recursive: true });
  const cc = process.env["CC"] ?? "cc";
  const args = [...cFlags, ...preloadCFlags, "-o", out, benchSource, "-luring"];
  const result = await runProcess(cc, args);
  if (result.code !== 0) throw new Error(`building ${benchSource} failed: ${failureText(result)}`);
  return out;
}

export type PreloadState =
  { ok: true; path: string; note: string | null } | { ok: false; reason: string };

/** The preload library, rebuilt when stale (@dbatch/preload's one rebuild-if-stale). */
export async function ensurePreload(): Promise<PreloadState> {
  try {
    return { ok: true, path: ensurePreloadBuilt(), note: null };
  } catch (e) {
    if (existsSync(preloadLibraryPath)) {
      const why = e instanceof Error ? e.message : String(e);
      return { ok: true, path: preloadLibraryPath, note: `using the existing library: ${why}` };
    }
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
