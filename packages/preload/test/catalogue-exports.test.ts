// The preload library interposes exactly the libc names the catalogue lists
// (catalogue/syscalls.json and libc.json): a name the transform treats as
// the end of a run that the library does not see, or a wrapper the
// catalogue does not know, fails here.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readLibcFunctions, readSyscalls } from "@dbatch/catalogue";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ensurePreloadBuilt, preloadDir } from "../index.ts";

const library = ensurePreloadBuilt();
const exported = new Set(
  execFileSync("nm", ["-D", "--defined-only", library], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length === 3 && /^[TWi]$/.test(f[1] ?? ""))
    .map((f) => f[2] ?? ""),
);
/** The library's own API (<dbatch.h> reaches it through weak references). */
const isApi = (name: string): boolean => name.startsWith("dbatch_") || /^_(init|fini)$/.test(name);

const syscallNames = readSyscalls().flatMap((s) => s.libc);
const libc = readLibcFunctions();
const interposed = [
  ...syscallNames,
  ...libc.filter((f) => f.ret !== undefined || f.custom !== undefined).map((f) => f.name),
];

test("every catalogue name is interposed", () => {
  assert.equal(
    interposed.filter((n) => !exported.has(n)),
    [],
  );
});

test("every interposed name is in the catalogue", () => {
  const known = new Set(interposed);
  assert.equal([...exported].filter((n) => !known.has(n) && !isApi(n)).sort(), []);
});

test("names not interposed are not exported either", () => {
  const notInterposed = libc.filter((f) => f.notInterposed !== undefined).map((f) => f.name);
  assert.equal(
    notInterposed.filter((n) => exported.has(n)),
    [],
  );
});

test("hand-written interposers are where the catalogue says", () => {
  for (const f of libc) {
    if (f.custom === undefined) continue;
    const text = readFileSync(join(preloadDir, "src", f.custom), "utf8");
    assert.match(text, new RegExp(`DBATCH_API [^;{]*\\b${f.name}\\(`), `${f.name} in ${f.custom}`);
  }
});

test.run();
