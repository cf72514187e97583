// Host-side helpers for the kmod tests: build the C programs (test/c/*.c)
// for the guest, cached by source.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { preloadCFlags } from "@dbatch/preload";
import { kmodDir, kmodUapiIncludeDir } from "../index.ts";

export { kmodDir };
export const repoDir = join(kmodDir, "..", "..");
export const buildDir = join(kmodDir, "test", "build");

/**
 * Compiles one C source (or source text) for the guest with gcc; the binary
 * is cached under test/build by a hash of the text and flags.
 */
export function buildC(
  source: string,
  opts: { name?: string; text?: string; flags?: string[]; libs?: string[] } = {},
): string {
  const text = opts.text ?? readFileSync(source, "utf8");
  const flags = ["-O2", "-Wall", ...preloadCFlags, ...(opts.flags ?? [])];
  const libs = opts.libs ?? ["-lpthread"];
  const name = opts.name ?? basename(source).replace(/\.c$/, "");
  const hash = createHash("sha256")
    .update(text)
    .update(flags.join("\0"))
    .update(libs.join("\0"))
    // headers the test programs include
    .update(
      existsSync(join(kmodDir, "test", "c", "dbt.h"))
        ? readFileSync(join(kmodDir, "test", "c", "dbt.h"))
        : "",
    )
    .update(readFileSync(join(kmodUapiIncludeDir, "linux", "dbatch.h")))
    // the catalogue's lists (fuzz.c's allowed numbers) change with the catalogue
    .update(readFileSync(join(kmodUapiIncludeDir, "linux", "dbatch_catalogue.h")))
    .digest("hex")
    .slice(0, 12);
  mkdirSync(buildDir, { recursive: true });
  const out = join(buildDir, `${name}-${hash}`);
  if (existsSync(out)) return out;
  const src = opts.text !== undefined ? `${out}.c` : source;
  if (opts.text !== undefined) {
    mkdirSync(dirname(src), { recursive: true });
    execFileSync("sh", ["-c", 'cat > "$0"', src], { input: opts.text });
  }
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync("gcc", [...flags, "-I", join(kmodDir, "test", "c"), "-o", tmp, src, ...libs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  renameSync(tmp, out);
  return out;
}
