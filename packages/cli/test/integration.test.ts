// docs/integration.md, followed literally: a small project (fixtures/
// integration) is rewritten with dbatch-transform --write and built by its
// own Make, CMake and Meson files with only what the docs add; the program
// then runs batched (calls recorded) and unbatched; a project that keeps a
// copy of dbatch.h builds where dBatch is not on PATH at all.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { binDir, cleanEnv, dbt, fixturesDir, scratch, spawn } from "./helpers.ts";

const project = join(fixturesDir, "integration");
/** PATH with dbatch and dbatch-transform on it, as after README's setup. */
const withDbatch = cleanEnv({ PATH: `${binDir}:${process.env.PATH ?? ""}` });

function transformedCopy(): string {
  const dir = scratch("dbatch-integration-");
  cpSync(project, dir, { recursive: true });
  const r = dbt(["--write", "main.c"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(join(dir, "main.c"), "utf8"), /#include <dbatch\.h>/);
  return dir;
}

function sh(command: string, cwd: string, env = withDbatch) {
  const r = spawnSync("sh", ["-c", command], { cwd, env, encoding: "utf8", timeout: 180_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The built program: batched (recorded > 0) and plain, same output and file. */
function runsBothWays(prog: string, cwd: string): void {
  const library = spawn(join(binDir, "dbatch"), ["cflags", "--library"]).stdout.trim();
  const batched = sh(`LD_PRELOAD=${library} DBATCH_BACKEND=emulate DBATCH_STATS=1 ${prog}`, cwd);
  assert.is(batched.status, 0, batched.out);
  assert.match(batched.out, /^built and ran$/m);
  assert.match(batched.out, /dbatch: backend=emulate recorded=[1-9]/, batched.out);
  assert.is(readFileSync(join(cwd, "log.txt"), "utf8"), "one\ntwo\n");
  const plain = sh(prog, cwd);
  assert.is(plain.status, 0, plain.out);
  assert.is(plain.out, "built and ran\n");
}

test("dbatch cflags: flags, a pkg-config file pkg-config reads, the library, --help", () => {
  const flags = spawn(join(binDir, "dbatch"), ["cflags"]);
  assert.is(flags.status, 0);
  assert.match(flags.stdout, /^-I\/.*packages\/preload\/include\n$/);
  const dir = spawn(join(binDir, "dbatch"), ["cflags", "--pc-dir"]).stdout.trim();
  assert.ok(existsSync(join(dir, "dbatch.pc")));
  const pc = spawnSync("pkg-config", ["--cflags", "--libs", "dbatch"], {
    env: { ...process.env, PKG_CONFIG_PATH: dir },
    encoding: "utf8",
  });
  assert.is(pc.status, 0, pc.stderr);
  assert.is(pc.stdout.trim(), flags.stdout.trim());
  assert.match(
    spawn(join(binDir, "dbatch"), ["cflags", "--library"]).stdout,
    /libdbatch-preload\.so\n$/,
  );
  const both = spawn(join(binDir, "dbatch"), ["cflags", "--pc", "--library"]);
  assert.is(both.status, 2);
  assert.match(both.stderr, /^dbatch cflags: give one of/m);
  assert.match(spawn(join(binDir, "dbatch"), ["cflags", "--help"]).stdout, /^Usage: dbatch cflags/);
});

test("Make: CFLAGS += $(shell dbatch cflags)", () => {
  const dir = transformedCopy();
  const made = sh("make -s", dir);
  assert.is(made.status, 0, made.out);
  runsBothWays("./prog", dir);
});

test("CMake: pkg_check_modules(dbatch) with PKG_CONFIG_PATH=$(dbatch cflags --pc-dir)", () => {
  const dir = transformedCopy();
  const built = sh(
    "PKG_CONFIG_PATH=$(dbatch cflags --pc-dir) cmake -S . -B build >/dev/null && cmake --build build >/dev/null",
    dir,
  );
  assert.is(built.status, 0, built.out);
  runsBothWays("./build/prog", dir);
});

test("Meson: dependency('dbatch') with PKG_CONFIG_PATH=$(dbatch cflags --pc-dir)", () => {
  const dir = transformedCopy();
  const built = sh(
    "PKG_CONFIG_PATH=$(dbatch cflags --pc-dir) meson setup build >/dev/null && meson compile -C build >/dev/null",
    dir,
  );
  assert.is(built.status, 0, built.out);
  runsBothWays("./build/prog", dir);
});

test("a project that keeps dbatch.h builds without dBatch installed", () => {
  const dir = transformedCopy();
  const vendored = sh("dbatch cflags --vendor third_party", dir);
  assert.is(vendored.status, 0, vendored.out);
  // No dbatch on PATH, no preload library: the calls run directly.
  const bare = cleanEnv({ PATH: "/usr/bin:/bin" });
  const built = sh("command -v dbatch || cc -O2 -I third_party -o prog main.c", dir, bare);
  assert.is(built.status, 0, built.out);
  assert.is(built.out, "");
  const ran = sh("./prog", dir, bare);
  assert.is(ran.out, "built and ran\n");
  assert.is(readFileSync(join(dir, "log.txt"), "utf8"), "one\ntwo\n");
});

test.run();
