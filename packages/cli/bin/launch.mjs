// Runs one of the CLI's programs from the compiled bundle (dist/, see
// bundle.mjs). Checking that the bundle is current costs one stat per source
// file (about a millisecond): an edited source is never run stale, it is
// recompiled first. If compiling fails (esbuild missing), the TypeScript runs
// through tsx instead, as before there was a bundle.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { bundle, cliDir, distDir, manifestPath } from "./bundle.mjs";

function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    return undefined;
  }
  if (manifest.node !== process.versions.node) return undefined;
  for (const [file, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    let s;
    try {
      s = statSync(join(cliDir, file));
    } catch {
      return undefined;
    }
    if (s.mtimeMs !== mtimeMs || s.size !== size) return undefined;
  }
  return join(distDir, manifest.dir);
}

/** @param {string} program dbatch, dbatch-transform */
export async function launch(program, source) {
  let dir = process.env.DBATCH_NO_BUNDLE ? undefined : currentBuild();
  if (dir === undefined && !process.env.DBATCH_NO_BUNDLE) {
    try {
      dir = await bundle();
    } catch (err) {
      process.stderr.write(
        `dbatch: could not compile the CLI (${err.message}); running it through tsx\n`,
      );
    }
  }
  if (dir !== undefined) {
    await import(join(dir, `${program}.mjs`));
    return;
  }
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL(source, import.meta.url).href);
}
