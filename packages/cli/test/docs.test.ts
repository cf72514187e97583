// The README's Tour documents every reason id the transform can report, and
// the commands it shows exist.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
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

/**
 * Every README console example that shows output, run as shown (from the
 * repository root, `pnpm exec` meaning node_modules/.bin, stdout and stderr
 * together as a terminal shows them): the output lines must be the ones
 * printed. Timings are the only thing allowed to differ; `--vm` examples
 * are left to the VM suites (they boot a kernel).
 */
interface ConsoleExample {
  command: string;
  output: string[];
}

function consoleExamples(markdown: string): ConsoleExample[] {
  const out: ConsoleExample[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: ConsoleExample | null = null;
    for (const line of (block[1] ?? "").split("\n")) {
      if (line.startsWith("$ ")) {
        current = { command: line.slice(2).replace(/\s+#.*$/, ""), output: [] };
        out.push(current);
      } else if (current && line !== "") {
        current.output.push(line);
      }
    }
  }
  return out.filter((e) => e.output.length > 0);
}

const timing = (line: string): string => line.replace(/\(\d+(\.\d+)?s\)/g, "(Ts)");

test("the README's console examples print what they show", () => {
  const examples = consoleExamples(readme).filter((e) => !/ --vm\b/.test(e.command));
  const hadTestTxt = existsSync(join(repoRoot, "test.txt"));
  assert.ok(examples.length >= 2, `only ${examples.length} examples with output`);
  for (const e of examples) {
    const command = e.command.replace(/^pnpm exec /, `${join(repoRoot, "node_modules", ".bin")}/`);
    const r = spawnSync("sh", ["-c", `${command} 2>&1`], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, DBATCH_BACKEND: "", DBATCH_STATS: "" },
    });
    // The seed example writes test.txt where it runs: not left in the tree.
    if (!hadTestTxt) rmSync(join(repoRoot, "test.txt"), { force: true });
    const got = r.stdout.trimEnd().split("\n").map(timing);
    assert.equal(got, e.output.map(timing), e.command);
  }
});

test.run();
