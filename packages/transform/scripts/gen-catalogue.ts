// Generates the catalogue's TypeScript module and C header from
// catalogue/syscalls.json. `--check` exits 1 when a checked-in file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { renderCatalogueFiles } from "../src/catalogue-render.ts";

const check = process.argv.includes("--check");
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
    process.stderr.write(`stale: ${file.path} (run pnpm gen:catalogue)\n`);
    stale++;
  } else {
    writeFileSync(file.path, file.text);
    process.stderr.write(`wrote ${file.path}\n`);
  }
}
process.exit(stale ? 1 : 0);
