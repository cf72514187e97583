// `pnpm gen:catalogue`: writes every generated file from syscalls.json and
// libc.json. `--check` writes nothing and exits 1 when one is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { renderCatalogueFiles } from "./generate.ts";
import { catalogueDir } from "./paths.ts";

const check = process.argv.includes("--check");
const shown = (path: string): string => relative(`${catalogueDir}/..`, path);
let stale = 0;
for (const file of renderCatalogueFiles()) {
  let current: string | null = null;
  try {
    current = readFileSync(file.path, "utf8");
  } catch {
    current = null;
  }
  if (current === file.text) continue;
  if (check) {
    process.stderr.write(`stale: ${shown(file.path)} (run pnpm gen:catalogue)\n`);
    stale++;
  } else {
    writeFileSync(file.path, file.text);
    process.stderr.write(`wrote ${shown(file.path)}\n`);
  }
}
process.exit(stale ? 1 : 0);
