// dbatch-transform end to end: the real binary, spawned in temporary directories.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  binDir,
  cleanEnv,
  dbt,
  MIXED,
  fixturesDir,
  listTree,
  repoRoot,
  scratch,
  scratchWith,
  seedExample,
  spawn,
  transformBin,
} from "./helpers.ts";

const seedText = readFileSync(seedExample, "utf8");

// Already batched / nothing to batch: the transform leaves it as it is.
const CLEAN = `#include <unistd.h>

int main(void)
{
\treturn write(1, "x", 1) == 1 ? 0 : 1;
}
`;

function transformed(file: string): string {
  const dir = scratchWith({ "t.c": file });
  const r = dbt(["--stdout", "t.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

const seedExpected = transformed(seedExample);

test("--help is truthful and exits 0; --version prints the version", () => {
  const h = dbt(["--help"]);
  assert.is(h.status, 0);
  for (const flag of [
    "--write",
    "--check",
    "--diff",
    "--stdout",
    "--report",
    "--report-file",
    "--min-run",
    "--jobs",
  ]) {
    assert.ok(h.stdout.includes(flag), `--help does not mention ${flag}`);
  }
  assert.ok(h.stdout.includes("Exit codes: 0 done"));
  assert.is(h.stderr, "");
  const v = dbt(["--version"]);
  assert.is(v.status, 0);
  const pkg = JSON.parse(
    readFileSync(join(repoRoot, "packages", "cli", "package.json"), "utf8"),
  ) as { version: string };
  assert.is(v.stdout.trim(), `dbatch-transform ${pkg.version}`);
});

test("usage errors exit 2 and name the problem", () => {
  const dir = scratchWith({ "a.c": seedExample, "b.c": seedExample });
  const cases: [string[], RegExp][] = [
    [[], /no files given/],
    [["--check", "--diff", "a.c"], /choose one of/],
    [["--report", "xml", "a.c"], /--report wants text, json or sarif/],
    [["--min-run", "0", "a.c"], /--min-run wants a whole number/],
    [["--min-run", "two", "a.c"], /--min-run wants a whole number/],
    [
      ["--jobs", "-1", "a.c"],
      /^dbatch-transform: --jobs needs a value; a value starting with '-' is written --jobs=VALUE$/m,
    ],
    [["--jobs=-1", "a.c"], /^dbatch-transform: --jobs wants a whole number >= 1, got '-1'$/m],
    [["--report"], /^dbatch-transform: --report needs a value$/m],
    [["--stdout", "a.c", "b.c"], /--stdout takes exactly one file/],
    [["--stdout", "*.c"], /--stdout takes exactly one file/],
    [["--stdout", "--report", "json", "a.c"], /both want stdout/],
    [["--frobnicate", "a.c"], /^dbatch-transform: unknown option --frobnicate$/m],
  ];
  for (const [args, re] of cases) {
    const r = dbt(args, { cwd: dir });
    assert.is(r.status, 2, `${args.join(" ")}: exit ${r.status}`);
    assert.match(r.stderr, re, `${args.join(" ")}: ${r.stderr}`);
    assert.is(r.stdout, "", `${args.join(" ")}: stdout not empty`);
  }
  assert.is(readFileSync(join(dir, "a.c"), "utf8"), seedText, "a usage error touched a file");
});

test("--write (default) rewrites atomically: same mode, no temporary files, idempotent", () => {
  const dir = scratchWith({ "example.c": seedExample, "clean.c": seedExample });
  writeFileSync(join(dir, "clean.c"), CLEAN);
  chmodSync(join(dir, "example.c"), 0o640);
  const before = statSync(join(dir, "example.c"));
  const r = dbt(["example.c", "clean.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^dbatch-transform: 2 files, 1 rewritten; 1 run batched \(4 calls\)/m);
  assert.is(readFileSync(join(dir, "example.c"), "utf8"), seedExpected);
  assert.is(readFileSync(join(dir, "clean.c"), "utf8"), CLEAN);
  const after = statSync(join(dir, "example.c"));
  assert.is(after.mode & 0o7777, 0o640, "mode not kept");
  assert.is.not(after.ino, before.ino, "not replaced by rename");
  assert.equal(listTree(dir), ["clean.c", "example.c"], "temporary files left behind");
  // Again: nothing changes, the file is not even replaced.
  const again = dbt(["--write", "example.c"], { cwd: dir });
  assert.is(again.status, 0);
  assert.match(again.stderr, /1 file, 0 rewritten/);
  assert.is(statSync(join(dir, "example.c")).ino, after.ino);
});

test("--write through a symlink rewrites the target and keeps the link", () => {
  const dir = scratchWith({ "real.c": seedExample });
  symlinkSync("real.c", join(dir, "link.c"));
  const r = dbt(["link.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.ok(lstatSync(join(dir, "link.c")).isSymbolicLink());
  assert.is(readFileSync(join(dir, "real.c"), "utf8"), seedExpected);
  assert.equal(listTree(dir), ["link.c", "real.c"]);
});

test("--check: exit 1 listing the files that would change in a dirty tree, 0 in a clean one; never writes", () => {
  const dir = scratchWith({ "a.c": seedExample });
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "b.c"), MIXED);
  writeFileSync(join(dir, "src", "ok.h"), CLEAN);
  const dirty = dbt(["--check", "a.c", "src/*.[ch]"], { cwd: dir });
  assert.is(dirty.status, 1, dirty.stderr);
  assert.equal(dirty.stdout.trim().split("\n"), ["a.c", "src/b.c"]);
  assert.match(dirty.stderr, /3 files, 2 would change/);
  assert.is(readFileSync(join(dir, "a.c"), "utf8"), seedText);
  assert.is(readFileSync(join(dir, "src", "b.c"), "utf8"), MIXED);
  // Clean the tree with --write, then --check passes.
  assert.is(dbt(["a.c", "src/*.[ch]"], { cwd: dir }).status, 0);
  const clean = dbt(["--check", "a.c", "src/*.[ch]"], { cwd: dir });
  assert.is(clean.status, 0, clean.stderr);
  assert.is(clean.stdout, "");
  assert.match(clean.stderr, /3 files, 0 would change/);
});

test("--diff prints a unified diff that git apply (patch -p1) applies; writes nothing; exit 0", () => {
  const dir = scratchWith({ "example.c": seedExample });
  const r = dbt(["--diff", "example.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.is(lines[0], "--- a/example.c");
  assert.is(lines[1], "+++ b/example.c");
  assert.match(lines[2] ?? "", /^@@ -\d+,\d+ \+\d+,\d+ @@/);
  assert.ok(lines.includes("+#include <dbatch.h>"));
  assert.ok(lines.some((l) => /^\+\s*batch_start\(\);$/.test(l)));
  assert.ok(lines.some((l) => /^\+\s*batch_flush\(\);$/.test(l)));
  assert.is(readFileSync(join(dir, "example.c"), "utf8"), seedText, "--diff wrote");
  const patched = spawnSync("git", ["apply", "-p1", "-"], {
    cwd: dir,
    input: r.stdout,
    encoding: "utf8",
  });
  assert.is(patched.status, 0, patched.stderr);
  assert.is(readFileSync(join(dir, "example.c"), "utf8"), seedExpected);
  const none = dbt(["--diff", "example.c"], { cwd: dir });
  assert.is(none.stdout, "", "a transformed file still has a diff");
});

test("--stdout prints exactly the transformed text and writes nothing", () => {
  const dir = scratchWith({ "example.c": seedExample });
  const r = dbt(["--stdout", "example.c"], { cwd: dir });
  assert.is(r.status, 0);
  assert.ok(r.stdout.includes("batch_start();") && r.stdout.includes("#include <dbatch.h>"));
  assert.is(readFileSync(join(dir, "example.c"), "utf8"), seedText);
  assert.equal(listTree(dir), ["example.c"]);
  // With a text report, the remarks go to stderr: stdout stays the file.
  const rep = dbt(["--stdout", "--report", "text", "example.c"], { cwd: dir });
  assert.is(rep.stdout, r.stdout);
  assert.match(
    rep.stderr,
    /^example\.c:\d+:\d+: remark: batched run 1 \(open, write x2, close\) \[batched\]$/m,
  );
});

test("--min-run: a lone call is batched with --min-run 1 only", () => {
  const lone = `#include <unistd.h>\nvoid f(int fd)\n{\n\twrite(fd, "x", 1);\n}\n`;
  const dir = scratch();
  writeFileSync(join(dir, "lone.c"), lone);
  const two = dbt(["--check", "--report", "json", "lone.c"], { cwd: dir });
  assert.is(two.status, 0);
  const r2 = JSON.parse(two.stdout) as { files: { sites: { reason: string | null }[] }[] };
  assert.is(r2.files[0]?.sites[0]?.reason, "single-call");
  const one = dbt(["--check", "--min-run", "1", "lone.c"], { cwd: dir });
  assert.is(one.status, 1);
  assert.is(one.stdout.trim(), "lone.c");
});

test("--report text: compiler-style remarks, one per run and per site left alone", () => {
  const dir = scratch();
  writeFileSync(join(dir, "mixed.c"), MIXED);
  const r = dbt(["--check", "--report", "text", "mixed.c"], { cwd: dir });
  assert.is(r.status, 1);
  const remarks = r.stdout.split("\n").filter((l) => l.startsWith("mixed.c:"));
  // The first line is --check's list (the bare file name), then the remarks.
  assert.is(r.stdout.split("\n")[0], "mixed.c");
  assert.ok(remarks.length >= 3, r.stdout);
  for (const l of remarks) {
    assert.match(
      l,
      /^mixed\.c:\d+:\d+: remark: (batched run \d+ \([a-z_0-9]+( x\d+)?(, [a-z_0-9]+( x\d+)?)*\) \[batched\]|not batched: [a-z ]+ \([a-z_0-9]+\) \[[a-z-]+\])$/,
      l,
    );
  }
  assert.ok(remarks.includes("mixed.c:7:2: remark: batched run 1 (write x2) [batched]"), r.stdout);
  assert.ok(
    remarks.includes("mixed.c:9:6: remark: not batched: result used (write) [result-used]"),
    r.stdout,
  );
  const positions = remarks.map((l) => l.split(":").slice(1, 3).map(Number));
  const sorted = [...positions].sort(
    (a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0),
  );
  assert.equal(positions, sorted, "remarks not in source order");
});

interface JsonReport {
  files: {
    file: string;
    runs: { id: number; startLine: number; endLine: number; calls: string[] }[];
    sites: {
      line: number;
      column: number;
      call: string;
      batched: boolean;
      run: number | null;
      reason: string | null;
    }[];
  }[];
  summary: { files: number; runs: number; batched: number; notBatched: number };
}

test("--report json: stdout is exactly the docs/design.md object; other messages on stderr", () => {
  const dir = scratchWith({ "example.c": seedExample });
  writeFileSync(join(dir, "mixed.c"), MIXED);
  const r = dbt(["--check", "--report", "json", "example.c", "mixed.c"], { cwd: dir });
  assert.is(r.status, 1);
  const report = JSON.parse(r.stdout) as JsonReport; // stdout holds only the report
  assert.equal(Object.keys(report), ["files", "summary"]);
  assert.equal(Object.keys(report.summary), ["files", "runs", "batched", "notBatched"]);
  assert.equal(
    report.files.map((f) => f.file),
    ["example.c", "mixed.c"],
  );
  let runs = 0;
  let batched = 0;
  let notBatched = 0;
  for (const f of report.files) {
    assert.equal(Object.keys(f), ["file", "runs", "sites"]);
    for (const run of f.runs) {
      assert.equal(Object.keys(run), ["id", "startLine", "endLine", "calls"]);
      assert.ok(Number.isInteger(run.id) && run.startLine >= 1 && run.endLine >= run.startLine);
      assert.ok(run.calls.every((c) => typeof c === "string"));
      runs++;
    }
    for (const s of f.sites) {
      assert.equal(Object.keys(s), ["line", "column", "call", "batched", "run", "reason"]);
      assert.ok(s.line >= 1 && s.column >= 1);
      assert.type(s.batched, "boolean");
      if (s.batched) {
        assert.ok(typeof s.run === "number" && s.reason === null);
        batched++;
      } else {
        assert.ok(
          s.run === null && typeof s.reason === "string" && /^[a-z]+(-[a-z]+)*$/.test(s.reason),
        );
        notBatched++;
      }
    }
  }
  assert.equal(report.summary, { files: 2, runs, batched, notBatched });
  const seed = report.files[0];
  assert.equal(
    seed?.runs.map((x) => x.calls),
    [["open", "write", "write", "close"]],
  );
  assert.equal(
    seed?.sites.map((s) => [s.call, s.batched, s.run, s.reason]),
    [
      ["open", true, 1, null],
      ["write", true, 1, null],
      ["write", true, 1, null],
      ["close", true, 1, null],
    ],
  );
  // The list of files to change went to stderr.
  assert.match(r.stderr, /^example\.c$/m);
  assert.match(r.stderr, /^mixed\.c$/m);
});

test("--report-file writes the report there; stdout keeps its usual content", () => {
  const dir = scratchWith({ "example.c": seedExample });
  const r = dbt(["--diff", "--report", "json", "--report-file", "out/r.json", "example.c"], {
    cwd: dir,
  });
  assert.is(r.status, 2, "a missing directory for the report is an error");
  assert.match(r.stderr, /out\/r\.json: error: cannot write the report: no directory /);
  assert.match(r.stderr, /nothing written/);
  assert.is(r.stdout, "");
  const ok = dbt(["--diff", "--report", "json", "--report-file", "r.json", "example.c"], {
    cwd: dir,
  });
  assert.is(ok.status, 0, ok.stderr);
  assert.ok(ok.stdout.startsWith("--- a/example.c"));
  const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as JsonReport;
  assert.is(report.summary.runs, 1);
  // --report-file alone means a text report.
  const text = dbt(["--check", "--report-file", "r.txt", "example.c"], { cwd: dir });
  assert.is(text.status, 1);
  assert.match(
    readFileSync(join(dir, "r.txt"), "utf8"),
    /^example\.c:\d+:\d+: remark: batched run 1 /,
  );
});

test("every fixtures/transform case: the JSON report is its expected.json, --write gives its expected.c", () => {
  const root = join(fixturesDir, "transform");
  const cases = existsSync(root)
    ? readdirSync(root).filter(
        (c) => existsSync(join(root, c, "input.c")) && existsSync(join(root, c, "expected.json")),
      )
    : [];
  if (cases.length === 0) {
    console.log("  (skipped: no fixtures/transform cases yet)");
    return;
  }
  // One run per --min-run value (a case's options.json may set minRun).
  const groups = new Map<number, string[]>();
  for (const c of cases.sort()) {
    const options = join(root, c, "options.json");
    const minRun = existsSync(options)
      ? ((JSON.parse(readFileSync(options, "utf8")) as { minRun?: number }).minRun ?? 2)
      : 2;
    groups.set(minRun, [...(groups.get(minRun) ?? []), c]);
  }
  for (const [minRun, group] of groups) {
    const dir = scratch();
    for (const c of group) {
      mkdirSync(join(dir, c));
      cpSync(join(root, c, "input.c"), join(dir, c, "input.c"));
    }
    const files = group.map((c) => `${c}/input.c`);
    const r = dbt(
      ["--min-run", String(minRun), "--report", "json", "--report-file", "r.json", ...files],
      { cwd: dir },
    );
    assert.is(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as JsonReport;
    assert.equal(
      report.files.map((f) => f.file),
      files,
    );
    for (const f of report.files) {
      const c = f.file.split("/")[0] ?? "";
      const expected = JSON.parse(readFileSync(join(root, c, "expected.json"), "utf8")) as Pick<
        JsonReport["files"][number],
        "runs" | "sites"
      >;
      assert.equal(f.runs, expected.runs, `${c}: runs`);
      assert.equal(f.sites, expected.sites, `${c}: sites`);
      if (existsSync(join(root, c, "expected.c"))) {
        assert.is(
          readFileSync(join(dir, f.file), "utf8"),
          readFileSync(join(root, c, "expected.c"), "utf8"),
          `${c}: --write differs from expected.c`,
        );
      }
    }
  }
});

test("input errors exit 2, name each file, and touch no file (all inputs checked first)", () => {
  const dir = scratchWith({ "good.c": seedExample });
  mkdirSync(join(dir, "adir.c"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
  writeFileSync(join(dir, "latin1.c"), Buffer.from([0x2f, 0x2a, 0xe9, 0x2a, 0x2f, 0x0a]));
  const cases: [string, RegExp][] = [
    ["missing.c", /^missing\.c: error: no such file$/m],
    ["adir.c", /^adir\.c: error: is a directory/m],
    ["notes.txt", /^notes\.txt: error: not a C file \(expected \.c or \.h\)$/m],
    ["nothing/**/*.c", /^nothing\/\*\*\/\*\.c: error: no \.c or \.h file matches this pattern$/m],
  ];
  for (const [bad, re] of cases) {
    const r = dbt(["good.c", bad], { cwd: dir });
    assert.is(r.status, 2, `${bad}: exit ${r.status}`);
    assert.match(r.stderr, re, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /nothing written/);
    assert.is(readFileSync(join(dir, "good.c"), "utf8"), seedText, `${bad}: good.c was written`);
  }
  // All problems at once.
  const all = dbt(["missing.c", "notes.txt", "good.c"], { cwd: dir });
  assert.is(all.status, 2);
  assert.match(all.stderr, /missing\.c: error/);
  assert.match(all.stderr, /notes\.txt: error/);
  assert.equal(listTree(dir), ["good.c", "latin1.c", "notes.txt"]);
});

test("a non-UTF-8 file is skipped with a warning, the others are processed, exit 2", () => {
  const dir = scratchWith({ "good.c": seedExample });
  const latin1 = Buffer.from([0x2f, 0x2a, 0xe9, 0x2a, 0x2f, 0x0a]);
  writeFileSync(join(dir, "latin1.c"), latin1);
  const r = dbt(["--write", "good.c", "latin1.c"], { cwd: dir });
  assert.is(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^latin1\.c: warning: not valid UTF-8 text: skipped, left untouched \[encoding\]$/m,
  );
  assert.match(readFileSync(join(dir, "good.c"), "utf8"), /batch_start\(\);/);
  assert.ok(readFileSync(join(dir, "latin1.c")).equals(latin1), "latin1.c untouched");
});

test("--write refuses a read-only file with its mode named; the others are written", () => {
  const dir = scratchWith({ "good.c": seedExample, "ro.c": seedExample });
  chmodSync(join(dir, "ro.c"), 0o444);
  const r = dbt(["--write", "good.c", "ro.c"], { cwd: dir });
  assert.is(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^ro\.c: error: read-only \(mode 0444\): not rewritten; make it writable to transform it$/m,
  );
  assert.is(readFileSync(join(dir, "ro.c"), "utf8"), seedText);
  assert.is(statSync(join(dir, "ro.c")).mode & 0o777, 0o444);
  assert.match(readFileSync(join(dir, "good.c"), "utf8"), /batch_start\(\);/);
});

test("200k nested parentheses: no failure; that function untouched with a warning, the rest batched", () => {
  // The transform skips a function nested too deeply to analyse (it used to
  // run out of stack on this input) and never throws.
  const depth = 200_000;
  const deep =
    `#include <unistd.h>\nint main(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n` +
    `\treturn ${"(".repeat(depth)}0${")".repeat(depth)};\n}\n`;
  const dir = scratchWith({ "good.c": seedExample });
  writeFileSync(join(dir, "deep.c"), deep);
  const r = dbt(["good.c", "deep.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^deep\.c:2:1: warning: .*\[unsupported-syntax\]$/m);
  assert.is(readFileSync(join(dir, "deep.c"), "utf8"), deep);
  assert.match(readFileSync(join(dir, "good.c"), "utf8"), /batch_start\(\);/);
});

test("a file of 4 MiB or more runs in a node started with --optimize-for-size, once; results as usual", () => {
  const fn = (i: number) =>
    `static void f${i}(int fd)\n{\n\twrite(fd, "a", 1);\n\twrite(fd, "b", 1);\n\tclose(fd);\n}\n\n`;
  const parts = ["#include <unistd.h>\n\n"];
  let size = 0;
  for (let i = 0; size < (4 << 20) + 1; i++) {
    parts.push(fn(i));
    size += parts.at(-1)?.length ?? 0;
  }
  const dir = scratchWith({ "small.c": seedExample });
  writeFileSync(join(dir, "big.c"), parts.join(""));
  // Each node process says how it was started, at exit.
  const hook = join(dir, "argv.mjs");
  writeFileSync(
    hook,
    'process.on("exit", () => process.stderr.write(`node-flags [${process.execArgv.join(" ")}]\\n`));\n',
  );
  const env = { ...cleanEnv(), NODE_OPTIONS: `--import=${hook}` };
  const r = dbt(["--write", "big.c", "small.c"], { cwd: dir, env, timeout: 240_000 });
  assert.is(r.status, 0, r.stderr);
  const flags = [...r.stderr.matchAll(/^node-flags \[(.*)\]$/gm)].map((m) => m[1] ?? "");
  assert.equal(
    flags.map((f) => f.includes("--optimize-for-size")),
    [true, false],
    r.stderr,
  );
  // One summary (the child's), both files written.
  assert.is(r.stderr.match(/^dbatch-transform: 2 files, 2 rewritten;/gm)?.length, 1, r.stderr);
  const big = readFileSync(join(dir, "big.c"), "utf8");
  assert.ok(big.startsWith("#include <unistd.h>\n#include <dbatch.h>\n"));
  assert.is(big.match(/batch_start\(\);/g)?.length, parts.length - 1);
  assert.is(readFileSync(join(dir, "small.c"), "utf8"), seedExpected);
  // Small input: no second process.
  const small = dbt(["--check", "small.c"], { cwd: dir, env });
  assert.is(small.stderr.match(/^node-flags/gm)?.length, 1, small.stderr);
});

test("checked calls: noreturn functions from the headers next to the file, and --noreturn NAME", () => {
  const body = (fatal: string) =>
    `void save(int fd)\n{\n\tif (write(fd, "a", 1) != 1)\n\t\t${fatal}();\n\tif (close(fd) < 0)\n\t\t${fatal}();\n}\n`;
  const dir = scratch();
  writeFileSync(join(dir, "util.h"), '#include "common.h"\n');
  writeFileSync(join(dir, "common.h"), "void die (void) __attribute__ ((noreturn));\n");
  writeFileSync(join(dir, "a.c"), `#include <unistd.h>\n#include <util.h>\n${body("die")}`);
  writeFileSync(join(dir, "b.c"), `#include <unistd.h>\nvoid fatal(void);\n${body("fatal")}`);
  const a = dbt(["--stdout", "a.c"], { cwd: dir });
  assert.is(a.status, 0, a.stderr);
  assert.match(a.stdout, /batch_checked\(1, DBATCH_CHECK_COUNT, 1, write\(fd, "a", 1\)\)/);
  assert.match(a.stdout, /if \(dbatch_failed_ == 2\) die\(\);/);
  // Not known to leave, fatal() is a branch that goes on: the rest of the
  // run is copied after it, to run when the first check fails.
  const plain = dbt(["--stdout", "b.c"], { cwd: dir });
  assert.match(plain.stdout, /if \(dbatch_failed_ == 1\) \{ fatal\(\);\n\tif \(close\(fd\) < 0\)/);
  const named = dbt(["--stdout", "--noreturn", "fatal", "b.c"], { cwd: dir });
  assert.match(
    named.stdout,
    /if \(dbatch_failed_ == 1\) fatal\(\); else if \(dbatch_failed_ == 2\) fatal\(\);/,
  );
  const bad = dbt(["--noreturn", "no-such", "b.c"], { cwd: dir });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--noreturn wants a C identifier, got 'no-such'/);
});

test("a function that does not parse: warning with file:line:col, that function untouched, the rest batched", () => {
  const src = join(fixturesDir, "transform", "parse-error", "input.c");
  if (!existsSync(src)) {
    console.log("  (skipped: fixtures/transform/parse-error not there yet)");
    return;
  }
  const dir = scratchWith({ "p.c": src });
  const r = dbt(["p.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^p\.c:\d+:\d+: warning: .*\[parse-error\]$/m);
  const out = readFileSync(join(dir, "p.c"), "utf8");
  const broken = out.slice(out.indexOf("void broken"), out.indexOf("void fine"));
  assert.not.match(broken, /batch_start/);
  assert.match(out.slice(out.indexOf("void fine")), /batch_start\(\);/);
});

test("parse warnings: one line per file that counts them, every one with --verbose; other warnings as they are", () => {
  const dir = scratch();
  const body = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `void broken${i}(int fd) { @@@ write(fd, "a", 1); write(fd, "b", 1); }`,
    ).join("\n");
  writeFileSync(
    join(dir, "m.c"),
    `#include <unistd.h>\n${body(3)}\nvoid fine(int fd) { write(fd, "a", 1); write(fd, "b", 1); }\n`,
  );
  writeFileSync(join(dir, "one.c"), `#include <unistd.h>\n${body(1)}\n`);
  const quiet = dbt(["--check", "m.c", "one.c"], { cwd: dir });
  assert.is(quiet.status, 1, quiet.stderr);
  const parseLines = (text: string, file: string) =>
    text.split("\n").filter((l) => l.startsWith(`${file}:`) && l.endsWith("[parse-error]"));
  assert.equal(parseLines(quiet.stderr, "m.c"), [
    "m.c:2:24: warning: 3 syntax errors (or macros tree-sitter cannot parse), the first here; the code around them is left untouched (--verbose lists them) [parse-error]",
  ]);
  // a single one is said as it is
  assert.is(parseLines(quiet.stderr, "one.c").length, 1);
  assert.match(
    parseLines(quiet.stderr, "one.c")[0] ?? "",
    /: warning: syntax error \(or a macro tree-sitter cannot parse\): the statement holding it is left untouched \[parse-error\]$/,
  );
  const verbose = dbt(["--check", "--verbose", "m.c"], { cwd: dir });
  assert.equal(
    parseLines(verbose.stderr, "m.c").map((l) => l.split(":").slice(1, 3).join(":")),
    ["2:24", "3:24", "4:24"],
  );
  // the JSON report keeps every diagnostic
  const json = dbt(["--check", "--report", "json", "m.c"], { cwd: dir });
  assert.is((json.stdout.match(/"parse-error"/g) ?? []).length >= 3, true, json.stdout);
});

test("--macro NAME: a project's attribute-like macro is read as nothing, its functions batched; a bad name is a usage error", () => {
  const dir = scratch();
  const src = [
    "#include <unistd.h>",
    'MYLIB_API void f(int fd) { write(fd, "a", 1); write(fd, "b", 1); }',
    'MYLIB_DEPRECATED("use g2", (1)) void g(int fd) { write(fd, "a", 1); write(fd, "b", 1); }',
    "",
  ].join("\n");
  writeFileSync(join(dir, "m.c"), src);
  const without = dbt(["--check", "m.c"], { cwd: dir });
  assert.is(without.status, 1, without.stderr);
  assert.match(without.stderr, /\[parse-error\]/);
  assert.match(without.stderr, / 1 run batched /);
  const withMacros = dbt(["--stdout", "--macro", "MYLIB_API", "--macro=MYLIB_DEPRECATED", "m.c"], {
    cwd: dir,
  });
  assert.is(withMacros.status, 0, withMacros.stderr);
  assert.not.match(withMacros.stderr, /parse-error/);
  assert.is((withMacros.stdout.match(/batch_start\(\);/g) ?? []).length, 2);
  // the macros themselves are kept as written
  assert.match(withMacros.stdout, /^MYLIB_DEPRECATED\("use g2", \(1\)\) void g/m);
  const bad = dbt(["--check", "--macro", "not-a-name", "m.c"], { cwd: dir });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--macro wants a C identifier, got 'not-a-name'/);
  assert.is(readFileSync(join(dir, "m.c"), "utf8"), src);
});

test("globs: quoted patterns expand (sorted, deduplicated, .c/.h only, node_modules skipped)", () => {
  const dir = scratch();
  for (const p of [
    "src/a.c",
    "src/deep/b.c",
    "src/deep/c.h",
    "src/readme.md",
    "node_modules/x/d.c",
  ]) {
    mkdirSync(join(dir, p, ".."), { recursive: true });
    writeFileSync(join(dir, p), p.endsWith(".md") ? "x" : seedText);
  }
  const r = dbt(["--check", "src/**/*", "src/a.c"], { cwd: dir });
  assert.is(r.status, 1, r.stderr);
  assert.equal(r.stdout.trim().split("\n"), ["src/a.c", "src/deep/b.c", "src/deep/c.h"]);
  const brace = dbt(["--check", "src/{a,deep/b}.c"], { cwd: dir });
  assert.equal(brace.stdout.trim().split("\n"), ["src/a.c", "src/deep/b.c"]);
});

test("many files: the worker pool gives the same results, in input order; piped: no progress bar", () => {
  const dir = scratch();
  const names: string[] = [];
  for (let i = 0; i < 24; i++) {
    const name = `f${String(i).padStart(2, "0")}.c`;
    writeFileSync(join(dir, name), i % 3 === 0 ? CLEAN : i % 3 === 1 ? seedText : MIXED);
    names.push(name);
  }
  const reversed = [...names].reverse();
  const pooled = dbt(["--check", "--jobs", "2", "--report", "json", ...reversed], { cwd: dir });
  const single = dbt(["--check", "--jobs", "1", "--report", "json", ...reversed], { cwd: dir });
  assert.is(pooled.status, 1, pooled.stderr);
  assert.is(pooled.stdout, single.stdout);
  const report = JSON.parse(pooled.stdout) as JsonReport;
  assert.equal(
    report.files.map((f) => f.file),
    reversed,
  );
  assert.not.match(pooled.stderr, /\r|\x1b\[/, "progress bar drawn on a pipe");
  const summary = pooled.stderr.trim().split("\n").pop() ?? "";
  assert.match(summary, /^dbatch-transform: 24 files, 16 would change; /);
  // And --write through the pool writes all of them.
  const w = dbt(["--jobs", "2", ...names], { cwd: dir });
  assert.is(w.status, 0, w.stderr);
  assert.is(readFileSync(join(dir, "f01.c"), "utf8"), seedExpected);
  assert.equal(listTree(dir), names);
});

test("on a terminal a progress bar is drawn on stderr", () => {
  const script = spawnSync("script", ["--version"], { encoding: "utf8" });
  if (script.status !== 0) {
    console.log("  (skipped: script(1) not available to fake a terminal)");
    return;
  }
  const dir = scratch();
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `f${i}.c`), seedText);
  const r = spawnSync(
    "script",
    ["-qec", `${transformBin} --check f0.c f1.c f2.c f3.c f4.c f5.c`, "/dev/null"],
    {
      cwd: dir,
      encoding: "utf8",
      env: cleanEnv({ CI: undefined }),
    },
  );
  assert.match(r.stdout, /dbatch-transform \[#+-*\] \d+\/6 files/);
});

test("linked at the root's node_modules/.bin: pnpm exec from the root, the path from any cwd", () => {
  const viaPnpm = spawn("pnpm", ["exec", "dbatch-transform", "--version"], { cwd: repoRoot });
  assert.is(viaPnpm.status, 0, viaPnpm.stderr);
  assert.match(viaPnpm.stdout, /^dbatch-transform \d+\.\d+\.\d+/);
  const elsewhere = scratchWith({ "example.c": seedExample });
  const r = spawn(join(binDir, "dbatch-transform"), ["--check", "example.c"], { cwd: elsewhere });
  assert.is(r.status, 1);
  assert.is(r.stdout.trim(), "example.c");
  const d = spawn(join(binDir, "dbatch"), ["--version"], { cwd: elsewhere });
  assert.match(d.stdout, /^dbatch \d+\.\d+\.\d+/);
});

test.run();
