// The README's Tour documents every reason id the transform can report, and
// the commands it shows exist.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reasonIds } from "@dbatch/transform";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.ts";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const tour = readme.slice(readme.indexOf("## Tour"));

test("the README has a Tour after the Test section", () => {
  assert.ok(
    readme.indexOf("## Test") >= 0 && readme.indexOf("## Tour") > readme.indexOf("## Test"),
  );
});

test("every reason id of @dbatch/transform has a row in the Tour's table", () => {
  for (const id of reasonIds)
    assert.match(tour, new RegExp(`^\\| \`${id}\` \\| `, "m"), `README lacks ${id}`);
});

test("the Tour shows every dbatch command, the hook and the reports", () => {
  for (const s of [
    "dbatch-transform --diff",
    "dbatch-transform --check",
    "--report json",
    "--report sarif",
    "dbatch run --stats --backend uring",
    "--backend emulate",
    "--backend off",
    "dbatch doctor",
    "dbatch build",
    "dbatch run --vm",
    "dbatch vm -m",
    "dbatch install-hook",
    "dbatch-check",
    "docs/cli.md",
  ]) {
    assert.ok(tour.includes(s), `the Tour does not show ${s}`);
  }
});

test.run();
