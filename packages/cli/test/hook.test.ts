// dbatch install-hook in real git repositories, and .pre-commit-hooks.yaml.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cleanEnv, dbatch, repoRoot, scratch, seedExample } from "./helpers.ts";

const seedText = readFileSync(seedExample, "utf8");

const gitEnv = cleanEnv({
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.invalid",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.invalid",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
});

function git(
  cwd: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("git", args, { cwd, env: gitEnv, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repo(): string {
  const dir = scratch("dbatch-hook-test-");
  assert.is(git(dir, "init", "-q", "-b", "main").status, 0);
  writeFileSync(join(dir, "README"), "x\n");
  git(dir, "add", "README");
  assert.is(git(dir, "commit", "-q", "-m", "init").status, 0);
  return dir;
}

function install(dir: string, ...flags: string[]) {
  return dbatch(["install-hook", ...flags], { cwd: dir, env: gitEnv });
}

const transformedSeed = (() => {
  const dir = repo();
  writeFileSync(join(dir, "x.c"), seedText);
  const r = spawnSync(
    join(repoRoot, "node_modules", ".bin", "dbatch-transform"),
    ["--stdout", "x.c"],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  return r.stdout;
})();

test("install-hook outside a git repository: exit 2", () => {
  const r = dbatch(["install-hook"], { cwd: scratch(), env: gitEnv });
  assert.is(r.status, 2);
  assert.match(r.stderr, /not inside a git repository/);
});

test("check hook: a staged file that is not batched stops the commit; once batched it passes", () => {
  const dir = repo();
  const r = install(dir);
  assert.is(r.status, 0, r.stderr);
  const hook = join(dir, ".git", "hooks", "pre-commit");
  assert.ok(statSync(hook).mode & 0o100, "hook not executable");
  assert.match(
    readFileSync(hook, "utf8"),
    /dbatch-hook: installed by 'dbatch install-hook' \(mode: check\)/,
  );
  writeFileSync(join(dir, "prog.c"), seedText);
  writeFileSync(join(dir, "notes.txt"), "not C\n");
  git(dir, "add", "prog.c", "notes.txt");
  const blocked = git(dir, "commit", "-q", "-m", "add prog");
  assert.is.not(blocked.status, 0, "the commit went through");
  assert.match(blocked.stdout + blocked.stderr, /prog\.c/);
  assert.match(blocked.stderr, /dbatch pre-commit: the staged files above are not batched yet/);
  // Transforming only the working tree does not help: the staged text is checked.
  writeFileSync(join(dir, "prog.c"), transformedSeed);
  assert.is.not(
    git(dir, "commit", "-q", "-m", "add prog").status,
    0,
    "checked the working tree, not the index",
  );
  git(dir, "add", "prog.c");
  const ok = git(dir, "commit", "-q", "-m", "add prog");
  assert.is(ok.status, 0, ok.stderr);
  // A commit without C files does not run the transform at all.
  writeFileSync(join(dir, "notes.txt"), "more\n");
  git(dir, "add", "notes.txt");
  assert.is(git(dir, "commit", "-q", "-m", "notes").status, 0);
});

test("rewrite hook: the staged file is rewritten and the commit holds the batched version", () => {
  const dir = repo();
  assert.is(install(dir, "--rewrite").status, 0);
  writeFileSync(join(dir, "my prog.c"), seedText);
  git(dir, "add", "my prog.c");
  const c = git(dir, "commit", "-q", "-m", "add prog");
  assert.is(c.status, 0, c.stderr);
  assert.is(git(dir, "show", "HEAD:my prog.c").stdout, transformedSeed);
  assert.is(readFileSync(join(dir, "my prog.c"), "utf8"), transformedSeed);
  assert.is(git(dir, "status", "--porcelain").stdout, "");
});

test("rewrite hook refuses a file with unstaged changes (they would be committed)", () => {
  const dir = repo();
  assert.is(install(dir, "--rewrite").status, 0);
  writeFileSync(join(dir, "p.c"), seedText);
  git(dir, "add", "p.c");
  writeFileSync(join(dir, "p.c"), `${seedText}/* unstaged */\n`);
  const c = git(dir, "commit", "-q", "-m", "p");
  assert.is.not(c.status, 0);
  assert.match(c.stderr, /p\.c has unstaged changes/);
  assert.is(
    readFileSync(join(dir, "p.c"), "utf8"),
    `${seedText}/* unstaged */\n`,
    "the file was touched",
  );
});

test("install-hook leaves a foreign hook alone unless --force (kept as pre-commit.orig)", () => {
  const dir = repo();
  const hook = join(dir, ".git", "hooks", "pre-commit");
  writeFileSync(hook, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const r = install(dir);
  assert.is(r.status, 1);
  assert.match(r.stderr, /was not written by dbatch; not touching it/);
  assert.is(readFileSync(hook, "utf8"), "#!/bin/sh\nexit 0\n");
  const f = install(dir, "--force");
  assert.is(f.status, 0, f.stderr);
  assert.is(readFileSync(`${hook}.orig`, "utf8"), "#!/bin/sh\nexit 0\n");
  assert.match(readFileSync(hook, "utf8"), /dbatch-hook/);
  // Our own hook is replaced without --force (e.g. to switch modes).
  assert.is(install(dir, "--rewrite").status, 0);
  assert.match(readFileSync(hook, "utf8"), /mode: rewrite/);
});

test(".pre-commit-hooks.yaml: dbatch-transform (rewrite) and dbatch-check (check), script, C files", () => {
  const path = join(repoRoot, ".pre-commit-hooks.yaml");
  assert.ok(existsSync(path));
  const text = readFileSync(path, "utf8");
  const hooks = text.split(/^- /m).slice(1);
  assert.is(hooks.length, 2);
  const field = (h: string, key: string): string =>
    new RegExp(`^\\s*${key}: (.*)$`, "m").exec(h)?.[1]?.trim() ?? "";
  const byId = new Map(
    hooks.map((h) => [h.startsWith("id: ") ? (h.slice(4).split("\n")[0] ?? "").trim() : "", h]),
  );
  const rewrite = byId.get("dbatch-transform") ?? "";
  const check = byId.get("dbatch-check") ?? "";
  assert.is(field(rewrite, "entry"), "scripts/pre-commit-entry.sh dbatch-transform");
  assert.is(field(check, "entry"), "scripts/pre-commit-entry.sh dbatch-transform --check");
  for (const h of [rewrite, check]) {
    assert.is(field(h, "language"), "script");
    assert.is(field(h, "files"), "\\.(c|h)$");
  }
});

/** True (and says so) where the pre-commit framework is not installed; deps.sh installs it. */
function preCommitMissing(): boolean {
  const which = spawnSync("sh", ["-c", "command -v pre-commit"], { encoding: "utf8" });
  if (which.status === 0) return false;
  console.log("  SKIPPED: the pre-commit framework is not installed (apt-get install pre-commit)");
  return true;
}

test("the pre-commit framework runs dbatch-transform as a local hook (check, then rewrite)", () => {
  if (preCommitMissing()) return;
  const dir = repo();
  const bin = join(repoRoot, "node_modules", ".bin", "dbatch-transform");
  const config = (id: string, entry: string): string =>
    `repos:\n  - repo: local\n    hooks:\n      - id: ${id}\n        name: ${id}\n        entry: ${entry}\n        language: system\n        files: \\.(c|h)$\n`;
  writeFileSync(join(dir, ".pre-commit-config.yaml"), config("dbatch-check", `${bin} --check`));
  writeFileSync(join(dir, "prog.c"), seedText);
  git(dir, "add", "prog.c", ".pre-commit-config.yaml");
  const env = { ...gitEnv, PRE_COMMIT_HOME: join(dir, ".pre-commit-home") };
  const run = (): { status: number | null; out: string } => {
    const r = spawnSync("pre-commit", ["run", "--files", "prog.c"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const check = run();
  assert.is(check.status, 1, check.out);
  assert.match(check.out, /dbatch-check\.+Failed/);
  assert.is(readFileSync(join(dir, "prog.c"), "utf8"), seedText);
  writeFileSync(join(dir, ".pre-commit-config.yaml"), config("dbatch-transform", bin));
  const rewrite = run();
  assert.is(rewrite.status, 1, "pre-commit fails a hook that modified files");
  assert.match(rewrite.out, /files were modified by this hook/);
  assert.is(readFileSync(join(dir, "prog.c"), "utf8"), transformedSeed);
  git(dir, "add", "prog.c");
  assert.is(run().status, 0);
});

test("the pre-commit framework installs this repository's hooks (try-repo: check, then rewrite)", () => {
  if (preCommitMissing()) return;
  const dir = repo();
  writeFileSync(join(dir, "prog.c"), seedText);
  // More files: require_serial gives them to one process, one summary.
  // (pre-commit splits a non-serial hook's files over the CPUs from 9 files on)
  const more = "abcdefghij".split("").map((n) => `${n}.c`);
  for (const f of more) writeFileSync(join(dir, f), seedText);
  git(dir, "add", "prog.c", ...more);
  const env = { ...gitEnv, PRE_COMMIT_HOME: join(dir, ".pre-commit-home") };
  const tryRepo = (hook: string): { status: number | null; out: string } => {
    const r = spawnSync("pre-commit", ["try-repo", repoRoot, hook, "--files", "prog.c", ...more], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const check = tryRepo("dbatch-check");
  assert.is(check.status, 1, check.out);
  assert.match(check.out, /dbatch-check[^\n]*Failed/);
  assert.is(check.out.match(/dbatch-transform: \d+ files?,/g)?.length, 1, check.out);
  assert.match(check.out, /dbatch-transform: 11 files, 11 would change/);
  assert.is(readFileSync(join(dir, "prog.c"), "utf8"), seedText);
  const rewrite = tryRepo("dbatch-transform");
  assert.is(rewrite.status, 1, rewrite.out);
  assert.match(rewrite.out, /files were modified by this hook/);
  assert.is(readFileSync(join(dir, "prog.c"), "utf8"), transformedSeed);
});

test.run();
