// dbatch run / build end to end: each program is compiled as written (cc) and
// run in one fresh directory, then run through `dbatch run` (transformed,
// compiled, preloaded) with each host backend in another; stdout, stderr,
// exit status and the files left behind must be the same.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dbatch, fixturesDir, listTree, repoRoot, scratch, seedExample, spawn } from "./helpers.ts";

const include = join(repoRoot, "packages", "preload", "include");
const hostBackends = ["emulate", "uring", "off"] as const;

interface Program {
  name: string;
  source: string;
  args: string[];
  stdin: string;
}

/** A varied handful of the differential suite (all of it runs in the preload tests). */
const wanted = ["args_files", "stdin_copy", "threads"];

function programs(): Program[] {
  const list: Program[] = [{ name: "seed example", source: seedExample, args: [], stdin: "" }];
  for (const name of wanted) {
    const dir = join(fixturesDir, "programs", name);
    if (!existsSync(join(dir, "main.c"))) continue;
    const argsFile = join(dir, "args");
    const stdinFile = join(dir, "stdin");
    list.push({
      name,
      source: join(dir, "main.c"),
      args: existsSync(argsFile)
        ? readFileSync(argsFile, "utf8").trim().split(/\s+/).filter(Boolean)
        : [],
      stdin: existsSync(stdinFile) ? readFileSync(stdinFile, "utf8") : "",
    });
  }
  return list;
}

function filesIn(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listTree(dir)) out[f] = readFileSync(join(dir, f), "latin1");
  return out;
}

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

const originals = new Map<string, Outcome>();

function original(p: Program): Outcome {
  const hit = originals.get(p.name);
  if (hit) return hit;
  const bin = join(scratch(), "orig");
  const cc = spawnSync("cc", ["-O2", "-I", include, "-o", bin, p.source, "-lpthread"], {
    encoding: "utf8",
  });
  assert.is(cc.status, 0, cc.stderr);
  const cwd = scratch();
  const r = spawn(bin, p.args, { cwd, input: p.stdin });
  const o = { status: r.status, stdout: r.stdout, stderr: r.stderr, files: filesIn(cwd) };
  originals.set(p.name, o);
  return o;
}

for (const p of programs()) {
  for (const backend of hostBackends) {
    test(`dbatch run ${p.name} --backend ${backend}: same as the untransformed program`, () => {
      const want = original(p);
      const cwd = scratch();
      const r = dbatch(["run", "--backend", backend, p.source, "--", ...p.args], {
        cwd,
        input: p.stdin,
      });
      assert.is(r.status, want.status, `exit status; stderr: ${r.stderr}`);
      assert.is(r.stdout, want.stdout, "stdout");
      assert.is(r.stderr, want.stderr, "stderr (dbatch must be silent without --stats)");
      assert.equal(filesIn(cwd), want.files, "files left in the working directory");
    });
  }
}

test("dbatch run --stats: the transform's and the preload library's stats, on stderr, each line 'dbatch'", () => {
  const cwd = scratch();
  const r = dbatch(["run", "--stats", "--backend", "uring", seedExample], { cwd });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "hihi");
  const lines = r.stderr.trim().split("\n");
  assert.ok(
    lines.every((l) => l.startsWith("dbatch")),
    r.stderr,
  );
  assert.ok(
    lines.some((l) => /^dbatch: transformed .*example\.c: 1 run, 4 calls batched$/.test(l)),
    r.stderr,
  );
  assert.ok(
    lines.some((l) => /^dbatch: backend=uring recorded=4 flushes=1 kernel_entries=\d+/.test(l)),
    r.stderr,
  );
  assert.is(readFileSync(join(cwd, "test.txt"), "utf8"), "hihi");
  // DBATCH_STATS=1 does the same.
  const env = dbatch(["run", "--backend", "emulate", seedExample], {
    cwd,
    env: { ...process.env, DBATCH_STATS: "1" },
  });
  assert.match(env.stderr, /^dbatch: backend=emulate recorded=4 /m);
});

test("dbatch run passes arguments, stdin and the working directory through; the source is never modified", () => {
  const dir = scratch();
  const src = join(dir, "echo.c");
  const text = `#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
\tchar cwd[4096], buf[256];
\tssize_t n = read(0, buf, sizeof buf);
\tprintf("cwd=%s\\n", getcwd(cwd, sizeof cwd));
\tfor (int i = 1; i < argc; i++)
\t\tprintf("arg%d=[%s]\\n", i, argv[i]);
\tprintf("stdin=[%.*s]\\n", (int)(n > 0 ? n : 0), buf);
\twrite(1, "x", 1);
\twrite(1, "y\\n", 2);
\treturn 0;
}
`;
  writeFileSync(src, text);
  const cwd = scratch();
  const r = dbatch(["run", src, "--", "a b", "--stats", "-x", ""], { cwd, input: "hello" });
  assert.is(r.status, 0, r.stderr);
  // printf's buffer reaches the pipe at exit, after the direct writes.
  assert.is(
    r.stdout,
    `xy\ncwd=${cwd}\narg1=[a b]\narg2=[--stats]\narg3=[-x]\narg4=[]\nstdin=[hello]\n`,
  );
  assert.is(r.stderr, "");
  assert.is(readFileSync(src, "utf8"), text);
  assert.equal(listTree(dir), ["echo.c"]);
});

test("dbatch run: exit codes are the program's; a signal gives 128+n", () => {
  const dir = scratch();
  writeFileSync(join(dir, "code.c"), "int main(int argc, char **argv) { return argc + 40; }\n");
  writeFileSync(
    join(dir, "sig.c"),
    "#include <signal.h>\nint main(void) { raise(SIGTERM); return 0; }\n",
  );
  const code = dbatch(["run", "code.c", "--", "x", "y"], { cwd: dir });
  assert.is(code.status, 43);
  assert.is(code.stderr, "");
  const sig = dbatch(["run", "sig.c"], { cwd: dir });
  assert.is(sig.status, 128 + 15);
  assert.match(sig.stderr, /^dbatch: sig\.c: the program was killed by SIGTERM$/m);
});

test("dbatch run: errors exit 2 with a 'dbatch'/file:line message", () => {
  const dir = scratch();
  writeFileSync(join(dir, "bad.c"), "int main(void)\n{\n\treturn nope;\n}\n");
  const bad = dbatch(["run", "bad.c"], { cwd: dir });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^bad\.c:3:\d+: error: .nope. undeclared/m);
  assert.match(bad.stderr, /^dbatch: compilation failed/m);
  const missing = dbatch(["run", "missing.c"], { cwd: dir });
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /^dbatch: missing\.c: error: no such file$/m);
  const header = dbatch(["run", "x.h"], { cwd: dir });
  assert.is(header.status, 2);
  assert.match(header.stderr, /x\.h: error: not a C source file/);
  const backend = dbatch(["run", "--backend", "fast", "bad.c"], { cwd: dir });
  assert.is(backend.status, 2);
  assert.match(backend.stderr, /--backend wants one of auto, kmod, uring, emulate, off/);
  const none = dbatch(["run"], { cwd: dir });
  assert.is(none.status, 2);
  const unknown = dbatch(["frobnicate"], { cwd: dir });
  assert.is(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  // dbatch's own lines start with "dbatch"; the compiler's pass through as
  // they are (they name bad.c and its lines), so editors can jump to them.
  for (const r of [bad, missing, header, backend, none, unknown]) {
    const compilerLines = r === bad ? /^(bad\.c:|\s|\S+ \| )/ : /^$/;
    for (const line of r.stderr.trimEnd().split("\n"))
      assert.ok(/^dbatch/.test(line) || compilerLines.test(line), `not a dbatch line: ${line}`);
  }
  assert.equal(listTree(dir), ["bad.c"]);
});

test("dbatch run is the program as written: __FILE__/__LINE__, assert(), inherited fds, environment", () => {
  const dir = scratch();
  // Two writes make a run, so lines are inserted above the __LINE__ and the
  // assert(); fd 3 comes from the caller's shell; /proc/self/fd and the
  // environment must hold nothing dbatch added.
  const source = [
    "#include <assert.h>",
    "#include <dirent.h>",
    "#include <stdio.h>",
    "#include <stdlib.h>",
    "#include <unistd.h>",
    "int main(void)",
    "{",
    '\twrite(3, "side\\n", 5);',
    '\twrite(1, "out\\n", 4);',
    '\tprintf("%s:%d\\n", __FILE__, __LINE__);',
    '\tDIR *d = opendir("/proc/self/fd");',
    "\tstruct dirent *e;",
    "\tint n = 0;",
    "\twhile ((e = readdir(d)))",
    "\t\tn++;",
    '\tprintf("fds %d env %s\\n", n, getenv("DBATCH_INHERITED_FDS") ? "leaked" : "clean");',
    "\tfflush(stdout);",
    "\tassert(n == 0);",
    "\treturn 0;",
    "}",
    "",
  ].join("\n");
  writeFileSync(join(dir, "prog.c"), source);
  const built = spawnSync("cc", ["-o", "plain", "prog.c"], { cwd: dir, encoding: "utf8" });
  assert.is(built.status, 0, built.stderr);
  const shell = (command: string) =>
    spawnSync("sh", ["-c", command], { cwd: dir, encoding: "utf8", env: { ...process.env } });
  const plain = shell("./plain 3>side-plain.txt");
  const batched = shell(
    `${JSON.stringify(join(repoRoot, "node_modules", ".bin", "dbatch"))} run prog.c 3>side-batched.txt`,
  );
  assert.is(batched.stdout, plain.stdout);
  // The assertion's own line (its program name aside); after it the shell
  // says "Aborted" for the plain child, dbatch says it was killed by SIGABRT.
  const assertion = (stderr: string): string => (stderr.split("\n")[0] ?? "").replace(/^\S+: /, "");
  assert.is(assertion(batched.stderr), assertion(plain.stderr));
  assert.is(batched.status, plain.status);
  assert.match(plain.stdout, /^out\nprog\.c:10\nfds \d+ env clean\n$/);
  assert.match(plain.stderr, /prog\.c:18: main: Assertion `n == 0' failed/);
  assert.is(readFileSync(join(dir, "side-batched.txt"), "utf8"), "side\n");
  assert.is(readFileSync(join(dir, "side-plain.txt"), "utf8"), "side\n");
});

test("dbatch run --keep keeps the transformed source and the binary", () => {
  const cwd = scratch();
  const r = dbatch(["run", "--keep", seedExample], { cwd });
  assert.is(r.status, 0);
  const m = /^dbatch: kept (\S+) \(program: (\S+)\)$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  const kept = m[1] ?? "";
  assert.ok(existsSync(m[2] ?? ""));
  const source = join(kept, "src", "0", "example.c");
  assert.match(readFileSync(source, "utf8"), /batch_start\(\);/);
  spawnSync("rm", ["-rf", kept]);
});

test("dbatch build -o: a program that runs batched with the printed command", () => {
  const dir = scratch();
  mkdirSync(join(dir, "out"));
  const r = dbatch(["build", "-o", "out/ex", seedExample], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^built \.\/out\/ex \(1 run, 4 calls batched\)$/m);
  const m = /^run it batched: +(.*)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  const run = spawnSync("sh", ["-c", `DBATCH_STATS=1 ${m[1] ?? ""}`], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.is(run.status, 0);
  assert.is(run.stdout, "hihi");
  assert.match(run.stderr, /^dbatch: backend=\w+ recorded=4 /m);
  assert.equal(readdirSync(join(dir, "out")), ["ex"]);
  // Default output name: the first file's without .c.
  const d = dbatch(["build", seedExample], { cwd: dir });
  assert.is(d.status, 0, d.stderr);
  assert.ok(existsSync(join(dir, "example")));
});

test.run();
