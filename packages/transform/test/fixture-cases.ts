// The golden cases in fixtures/transform/<case>/: input.c, expected.c,
// expected.json (the report) and an optional options.json.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TransformOptions } from "../src/index.ts";

export const repoDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const fixturesDir = join(repoDir, "fixtures", "transform");

export interface FixtureCase {
  readonly name: string;
  readonly dir: string;
  readonly input: string;
  readonly options: TransformOptions;
}

export function fixtureCases(): FixtureCase[] {
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(fixturesDir, e.name, "input.c")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(fixturesDir, name);
      const optionsPath = join(dir, "options.json");
      const options = existsSync(optionsPath)
        ? (JSON.parse(readFileSync(optionsPath, "utf8")) as TransformOptions)
        : {};
      return { name, dir, input: readFileSync(join(dir, "input.c"), "utf8"), options };
    });
}

/** The per-file report as stored in expected.json. */
export function reportJson(result: { runs: unknown; sites: unknown }): string {
  return JSON.stringify({ runs: result.runs, sites: result.sites }, null, 2) + "\n";
}
