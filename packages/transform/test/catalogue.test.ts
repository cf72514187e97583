// The generated catalogue files are what the spec renders to now.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderCatalogueFiles, readCatalogueSpec } from "../src/catalogue-render.ts";
import { catalogueEntry } from "../src/catalogue.ts";
import { syscallCatalogue } from "../src/catalogue.generated.ts";

for (const file of renderCatalogueFiles()) {
  test(`catalogue not stale: ${file.path.split("/").slice(-2).join("/")}`, () => {
    assert.fixture(readFileSync(file.path, "utf8"), file.text, "stale: run pnpm gen:catalogue");
  });
}

test("catalogue covers the calls the issue names", () => {
  const names = new Set(syscallCatalogue.map((s) => s.name));
  for (const name of [
    "write",
    "pwrite64",
    "writev",
    "read",
    "pread64",
    "open",
    "openat",
    "creat",
    "close",
    "lseek",
    "fsync",
    "fdatasync",
    "ftruncate",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "rename",
    "renameat",
    "send",
    "sendto",
    "shutdown",
  ]) {
    assert.ok(names.has(name), name);
  }
});

test("generated module matches the spec", () => {
  assert.equal(JSON.parse(JSON.stringify(syscallCatalogue)), readCatalogueSpec());
});

test("libc names resolve to their catalogue entry", () => {
  assert.is(catalogueEntry("pwrite")?.name, "pwrite64");
  assert.is(catalogueEntry("open64")?.name, "open");
  assert.is(catalogueEntry("printf"), undefined);
});

test.run();
