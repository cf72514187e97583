// The analysis rules one at a time, on small functions: which calls are
// batched, and the reason a call is not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { noreturnNames, reasonIds, transformSource } from "../src/index.ts";

const prelude = "#include <unistd.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <errno.h>\n";

/** Verdicts of the calls in `body` (a function body), as "batched" or the reason. */
function verdicts(body: string, minRun?: number): string[] {
  const text = `${prelude}void f(int fd, char *buf, int n)\n{\n${body}\n}\n`;
  const result = transformSource(text, minRun === undefined ? {} : { minRun });
  return result.sites.map((s) => (s.batched ? `run${s.run}` : (s.reason ?? "?")));
}

function output(body: string): string {
  const text = `${prelude}void f(int fd, char *buf, int n)\n{\n${body}\n}\n`;
  return transformSource(text).output.slice(prelude.length + "#include <dbatch.h>\n".length);
}

test("two discarded writes form a run", () => {
  assert.equal(verdicts("write(fd, buf, 1); write(fd, buf, 2);"), ["run1", "run1"]);
});

test("a single call is not batched (single-call); --min-run 1 batches it", () => {
  assert.equal(verdicts("write(fd, buf, 1);"), ["single-call"]);
  assert.equal(verdicts("write(fd, buf, 1);", 1), ["run1"]);
});

test("min-run 3 needs three calls", () => {
  assert.equal(verdicts("write(fd, buf, 1); write(fd, buf, 2);", 3), [
    "single-call",
    "single-call",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); write(fd, buf, 2); close(fd);", 3), [
    "run1",
    "run1",
    "run1",
  ]);
});

test("one call inside a loop is enough", () => {
  assert.equal(verdicts("for (int i = 0; i < n; i++) write(fd, buf, 1);"), ["run1"]);
  assert.equal(verdicts("while (n--) { write(fd, buf, 1); }"), ["run1"]);
  assert.equal(verdicts("do write(fd, buf, 1); while (--n);"), ["run1"]);
});

test("a used result is a hazard", () => {
  // Only the call whose result is used gets result-used: its lone neighbours
  // are single calls (their own results are not used).
  assert.equal(verdicts("write(fd, buf, 1); n += write(fd, buf, 2); write(fd, buf, 3);"), [
    "single-call",
    "result-used",
    "single-call",
  ]);
  // Compared, the failure path going on: calls after it join the run (the
  // flush re-runs them after the branch when it fails); anything else after
  // it is kept out (after-check).
  assert.equal(verdicts("if (write(fd, buf, 1) < 0) n++; write(fd, buf, 2);"), ["run1", "run1"]);
  assert.equal(verdicts("if (write(fd, buf, 1) < 0) n++; n--; write(fd, buf, 2);"), [
    "after-check",
    "after-check",
  ]);
  // An open rejected because its fd is returned: the close after it is a single call.
  assert.equal(verdicts('int g = open("x", O_RDONLY); close(g); return g;'), [
    "result-used",
    "single-call",
  ]);
  assert.equal(verdicts("if (write(fd, buf, 1) < n) return; close(fd); return;"), [
    "result-used",
    "single-call",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); write(fd, buf, 2); return write(fd, buf, 3);"), [
    "run1",
    "run1",
    "result-used",
  ]);
});

test("(void) casts and comma operands discard the result", () => {
  assert.equal(verdicts("(void)write(fd, buf, 1); (void) write(fd, buf, 2);"), ["run1", "run1"]);
  assert.equal(verdicts("write(fd, buf, 1), write(fd, buf, 2);"), ["run1", "run1"]);
  // The comma's left operand is thrown away even inside an assignment.
  assert.equal(verdicts("n = (write(fd, buf, 1), 0); write(fd, buf, 2);"), ["run1", "run1"]);
  assert.equal(verdicts("n = (0, write(fd, buf, 1)); write(fd, buf, 2);"), [
    "result-used",
    "single-call",
  ]);
});

test("calls that are not known end the run; known-pure ones do not", () => {
  assert.equal(verdicts("write(fd, buf, 1); sync(); write(fd, buf, 2);"), [
    "unknown-call",
    "unknown-call",
  ]);
  assert.equal(
    verdicts("write(fd, buf, 1); n = (int)strlen(buf); memset(buf, 0, 4); write(fd, buf, 2);"),
    ["run1", "run1"],
  );
  assert.equal(verdicts("write(fd, buf, 1); (*(void (*)(void))buf)(); write(fd, buf, 2);"), [
    "unknown-call",
    "unknown-call",
  ]);
});

test("an unknown call inside a call's arguments is a hazard for it", () => {
  assert.equal(verdicts("write(fd, buf, 1); write(fd, buf, getpid());"), [
    "unknown-call",
    "unknown-call",
  ]);
});

test("stdio, macros, setjmp, process control each have their reason", () => {
  assert.equal(verdicts("write(fd, buf, 1); puts(buf); write(fd, buf, 2);"), ["stdio", "stdio"]);
  assert.equal(verdicts("write(fd, buf, 1); CHECK(n); write(fd, buf, 2);"), [
    "macro-call",
    "macro-call",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); fork(); write(fd, buf, 2);"), [
    "process-control",
    "process-control",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); if (n) exit(1); write(fd, buf, 2);"), [
    "process-control",
    "process-control",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); longjmp(*(jmp_buf *)buf, 1); write(fd, buf, 2);"), [
    "setjmp-longjmp",
    "setjmp-longjmp",
  ]);
});

test("inline asm and errno end the run", () => {
  assert.equal(verdicts('write(fd, buf, 1); __asm__("nop"); write(fd, buf, 2);'), [
    "inline-asm",
    "inline-asm",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); n = errno; write(fd, buf, 2);"), [
    "errno-used",
    "errno-used",
  ]);
});

test("calls that read errno end the run: %m formats, strerror(errno); other formats do not", () => {
  assert.equal(verdicts('write(fd, buf, 1); snprintf(buf, 9, "%m"); write(fd, buf, 2);'), [
    "errno-used",
    "errno-used",
  ]);
  assert.equal(verdicts('write(fd, buf, 1); snprintf(buf, 9, "e: %-20m!"); write(fd, buf, 2);'), [
    "errno-used",
    "errno-used",
  ]);
  assert.equal(
    verdicts('write(fd, buf, 1); snprintf(buf, 9, "%s", strerror(errno)); write(fd, buf, 2);'),
    ["errno-used", "errno-used"],
  );
  assert.equal(verdicts('write(fd, buf, 1); snprintf(buf, 9, "%d%%m", n); write(fd, buf, 2);'), [
    "run1",
    "run1",
  ]);
});

test("shared through a typedef or a struct member: the store ends the run", () => {
  const run = (decls: string, store: string): string[] => {
    const text = `${prelude}${decls}\nvoid f(int fd, char *buf)\n{\n\twrite(fd, buf, 1);\n\t${store}\n\twrite(fd, buf, 2);\n}\n`;
    return transformSource(text).sites.map((x) => (x.batched ? "batched" : (x.reason ?? "?")));
  };
  const shared = ["shared-variable", "shared-variable"];
  assert.equal(run("typedef volatile int flag_t;\nflag_t ready;", "ready = 1;"), shared);
  assert.equal(
    run("typedef volatile int flag_t;\ntypedef flag_t flag2_t;\nflag2_t ready;", "ready = 1;"),
    shared,
  );
  assert.equal(run("struct s { volatile int done; } st;", "st.done = 1;"), shared);
  assert.equal(run("struct s { _Atomic int done; };\nstruct s *p;", "p->done = 1;"), shared);
  assert.equal(
    run("typedef struct { sig_atomic_t seen; } box_t;\nbox_t b;", "b.seen = 1;"),
    shared,
  );
  // A plain member of the same struct, and a plain typedef, are not shared.
  assert.equal(
    run("struct s { volatile int done; int count; } st;", "st.count = 1;"),
    ["run1", "run1"].map(() => "batched"),
  );
  assert.equal(run("typedef int count_t;\ncount_t n;", "n = 1;"), ["batched", "batched"]);
});

test("a read's buffer used through a pointer alias ends the run, like the buffer itself", () => {
  const body = (alias: string, use: string): string[] =>
    verdicts(`char b[8];\n${alias}\nread(fd, b, 4);\nwrite(fd, ${use}, 4);`);
  assert.equal(body("char *p = b;", "p"), ["read-buffer-used", "read-buffer-used"]);
  assert.equal(body("char *p; p = b + 2;", "p"), ["read-buffer-used", "read-buffer-used"]);
  assert.equal(body("char *p = b; char *q = p;", "q"), ["read-buffer-used", "read-buffer-used"]);
  assert.equal(body("char *p = buf;", "p"), ["run1", "run1"]);
});

test("a read through a pointer into a shared mapping ends the run", () => {
  const text = `${prelude}#include <sys/mman.h>\nvoid f(int fd)\n{\n\tchar *m = (char *)mmap(0, 8, PROT_READ, MAP_SHARED, fd, 0);\n\tpwrite(fd, "A", 1, 0);\n\tchar c = m[0];\n\tpwrite(fd, &c, 1, 1);\n}\n`;
  assert.equal(
    transformSource(text).sites.map((x) => x.reason),
    ["shared-variable", "shared-variable"],
  );
});

test("a file with its own batch_start/batch_flush is left alone, the line named", () => {
  for (const own of [
    "static void batch_start(void) {}\n",
    "int batch_flush(void);\n",
    "#define batch_start() 0\n",
  ]) {
    const text = `${prelude}${own}void f(int fd, char *buf)\n{\n\twrite(fd, buf, 1);\n\twrite(fd, buf, 2);\n}\n`;
    const r = transformSource(text);
    assert.is(r.output, text, own);
    assert.equal(
      r.diagnostics.map((d) => [d.line, d.rule]),
      [[5, "manual-batch"]],
      own,
    );
    assert.match(r.diagnostics[0]?.message ?? "", /its own batch_(start|flush)\(\)/);
  }
  // Calling the functions (a program batched by hand) is not defining them.
  const called = transformSource(
    `${prelude}int g(void) { return batch_flush(); }\nvoid f(int fd) { (void) batch_start(); write(fd, "a", 1); batch_flush(); }\n`,
  );
  assert.equal(called.diagnostics, []);
});

test("jumps leaving the run end it; jumps inside a loop of the run do not", () => {
  assert.equal(verdicts("write(fd, buf, 1); if (n) return; write(fd, buf, 2);"), ["jump", "jump"]);
  assert.equal(verdicts("write(fd, buf, 1); if (n) goto out; write(fd, buf, 2); out: ;"), [
    "jump",
    "jump",
  ]);
  assert.equal(
    verdicts("for (;;) { write(fd, buf, 1); if (n) break; write(fd, buf, 2); sync(); }"),
    ["jump", "jump"],
  );
  assert.equal(verdicts("for (;;) { write(fd, buf, 1); if (!--n) break; write(fd, buf, 2); }"), [
    "run1",
    "run1",
  ]);
  assert.equal(
    verdicts("for (;;) { switch (n) { case 1: write(fd, buf, 1); continue; } write(fd, buf, 2); }"),
    ["run1", "run1"],
  );
});

test("a continue inside a switch leaves a run made of the switch", () => {
  assert.equal(
    verdicts(
      "while (n--) { sync(); write(fd, buf, 1); switch (n) { case 1: write(fd, buf, 2); continue; } }",
    ),
    ["jump", "single-call"],
  );
});

test("a label splits the run; the run after it starts after the label", () => {
  assert.equal(verdicts("write(fd, buf, 1); again: write(fd, buf, 2); write(fd, buf, 3);"), [
    "label",
    "run1",
    "run1",
  ]);
  assert.match(
    output("again:\n\twrite(fd, buf, 2);\n\twrite(fd, buf, 3);"),
    "again:\n\tbatch_start();",
  );
});

test("a preprocessor directive splits the run", () => {
  assert.equal(verdicts("write(fd, buf, 1);\n#define X 1\nwrite(fd, buf, 2);"), [
    "preprocessor",
    "preprocessor",
  ]);
});

test("if/else and loops of deferrable statements join the run", () => {
  assert.equal(verdicts("write(fd, buf, 1); if (n > 1) write(fd, buf, 2); else close(fd);"), [
    "run1",
    "run1",
    "run1",
  ]);
  assert.equal(verdicts("write(fd, buf, 1); if (getpid()) write(fd, buf, 2);"), [
    "unknown-call",
    "single-call",
  ]);
});

test("a deferred read's buffer may not be used in the same run", () => {
  assert.equal(verdicts("read(fd, buf, 4); write(1, buf, 4); write(1, buf, 4);"), [
    "read-buffer-used",
    "run1",
    "run1",
  ]);
  assert.equal(verdicts("read(fd, buf, 4); n = buf[0]; write(1, buf, 4);"), [
    "read-buffer-used",
    "read-buffer-used",
  ]);
  // sizeof does not read the buffer.
  assert.equal(verdicts('read(fd, buf, sizeof buf); write(1, "x", 1);'), ["run1", "run1"]);
  // Pointer arithmetic: either operand may be the buffer.
  assert.equal(verdicts("read(fd, n + buf, 4); write(1, buf, 4);"), [
    "read-buffer-used",
    "read-buffer-used",
  ]);
  // A loop runs again before the flush.
  assert.equal(
    verdicts("for (int i = 0; i < 2; i++) { read(fd, buf, 4); sync(); write(1, buf, 4); }"),
    ["unknown-call", "unknown-call"],
  );
  assert.equal(verdicts("while (buf[0] != 'q') read(fd, buf, 1);"), ["single-call"]);
});

test("an open joins when its fd is only the fd of later calls in the run", () => {
  assert.equal(verdicts('int f2 = open("x", O_RDONLY); write(f2, buf, 1); close(f2);'), [
    "run1",
    "run1",
    "run1",
  ]);
  assert.equal(verdicts('int f2; f2 = creat("x", 0644); write(f2, buf, 1); close(f2);'), [
    "run1",
    "run1",
    "run1",
  ]);
  // Checked, passed on, stored, or used after the run: not deferred.
  assert.equal(
    verdicts('int f2 = open("x", O_RDONLY); if (f2 < 0) return; write(f2, buf, 1); close(f2);'),
    ["result-used", "run1", "run1"],
  );
  assert.equal(
    verdicts('int f2 = open("x", O_RDONLY); write(f2, buf, 1); write(1, &f2, 4); close(f2);'),
    ["result-used", "run1", "run1", "run1"],
  );
  assert.equal(verdicts('int f2 = open("x", O_RDONLY); write(f2, buf, 1); sync(); close(f2);'), [
    "result-used",
    "unknown-call",
    "unknown-call",
  ]);
  // A parameter or global fd is not the run's own.
  assert.equal(verdicts('fd = open("x", O_RDONLY); write(fd, buf, 1); close(fd);'), [
    "result-used",
    "run1",
    "run1",
  ]);
  // Two declarators, or inside a condition: result used.
  assert.equal(verdicts('int a = open("x", O_RDONLY), b = 0; write(a, buf, b); close(a);'), [
    "result-used",
    "run1",
    "run1",
  ]);
});

test("a variable re-opened in a later run: each open is its run's own", () => {
  assert.equal(
    verdicts(
      'int g = open("a", O_RDONLY); write(g, buf, 1); close(g); sync(); g = open("b", O_RDONLY); write(g, buf, 2); close(g);',
    ),
    ["run1", "run1", "run1", "run2", "run2", "run2"],
  );
  // Read between them: neither open is deferred (the analysis does not order
  // reads against opens; it stays on the safe side).
  assert.equal(
    verdicts(
      'int g = open("a", O_RDONLY); write(g, buf, 1); close(g); n = g; g = open("b", O_RDONLY); write(g, buf, 2); close(g);',
    ),
    ["result-used", "run1", "run1", "result-used", "run2", "run2"],
  );
  // Re-opened only inside an if: conservatively not deferred either.
  assert.equal(
    verdicts(
      'int g = open("a", O_RDONLY); write(g, buf, 1); sync(); if (n) g = open("b", O_RDONLY); write(g, buf, 2); close(g);',
    ),
    ["result-used", "unknown-call", "result-used", "run1", "run1"],
  );
});

test("an fd used before its open in a loop body's run sees the last iteration's fd", () => {
  assert.equal(
    verdicts(
      'int g = -1; for (;;) { write(g, buf, 1); g = open("x", O_RDONLY); write(g, buf, 1); sync(); }',
    ),
    ["single-call", "result-used", "single-call"],
  );
});

test("openat's dirfd may be a deferred open's fd", () => {
  assert.equal(
    verdicts('int d = open(".", O_RDONLY); int g = openat(d, "x", O_RDONLY); close(g); close(d);'),
    ["run1", "run1", "run1", "run1"],
  );
});

test("the flush goes after the last call, before a jump", () => {
  const out = output("\twrite(fd, buf, 1);\n\tn++;\n\twrite(fd, buf, 2);\n\tn++;\n\treturn;");
  assert.is(
    out,
    "void f(int fd, char *buf, int n)\n{\n\tbatch_start();\n\twrite(fd, buf, 1);\n\tn++;\n\twrite(fd, buf, 2);\n\tbatch_flush();\n\tn++;\n\treturn;\n}\n",
  );
});

test("<dbatch.h> is added once, unless a top-level include has it already", () => {
  const body = 'void g(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n}\n';
  const once = (text: string) =>
    transformSource(text).output.split("#include <dbatch.h>").length - 1;
  assert.is(once(`#include <unistd.h>\n${body}`), 1);
  assert.is(once(`#include <unistd.h>\n#include <dbatch.h>\n${body}`), 1);
  assert.is(once(`#include <unistd.h>\n#ifdef X\n#include <dbatch.h>\n#endif\n${body}`), 2);
  assert.is(
    transformSource(`#include <unistd.h>\n${body}`).output.indexOf("#include <dbatch.h>"),
    "#include <unistd.h>\n".length,
  );
});

test("the include never lands inside a comment or before a byte-order mark", () => {
  const body = 'void g(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n}\n';
  assert.ok(
    transformSource(`#include <unistd.h> /* one\n two */\n${body}`).output.startsWith(
      "#include <unistd.h> /* one\n two */\n#include <dbatch.h>\n",
    ),
  );
  assert.ok(transformSource(`\uFEFF${body}`).output.startsWith("\uFEFF#include <dbatch.h>\n"));
});

test("nothing to batch: output is the input, no edits, no include", () => {
  const text = `${prelude}int g(void) { return write(1, "x", 1); }\n`;
  const result = transformSource(text);
  assert.is(result.output, text);
  assert.equal(result.edits, []);
});

test("parse errors: the function is left alone, with a diagnostic naming the line", () => {
  const text = `${prelude}void g(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1) +;\n}\nvoid h(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n}\n`;
  const result = transformSource(text, { fileName: "g.c" });
  assert.equal(
    result.sites.map((s) => s.reason),
    ["parse-error", "parse-error", null, null],
  );
  assert.is(result.diagnostics.length, 1);
  const d = result.diagnostics[0]!;
  assert.is(d.rule, "parse-error");
  assert.is(d.line, 8);
  assert.not.match(d.message, "g.c");
  assert.ok(!result.output.includes('batch_start();\n\twrite(1, "a", 1);\n\twrite(1, "b", 1) +'));
});

test("calls in comments, strings and prototypes are not sites", () => {
  const text = `${prelude}ssize_t write(int, const void *, size_t);\n/* write(1, "x", 1); */\nvoid g(void) { const char *s = "write(1, s, 1);"; (void)s; }\n`;
  assert.equal(transformSource(text).sites, []);
});

test("every reason a site can carry is documented in the README", async () => {
  const { readFileSync } = await import("node:fs");
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  for (const id of reasonIds) assert.ok(readme.includes(`\`${id}\``), `README lacks ${id}`);
});

test("checked results: a call compared with what success returns, leaving on failure, joins a run", () => {
  const checked = (cond: string, leave = "return;") =>
    verdicts(`write(fd, buf, 1); if (${cond}) ${leave}`);
  // The forms that mean "failed": negative, -1, non-zero status, not the whole count.
  for (const cond of [
    "write(fd, buf, n) < 0",
    "0 > write(fd, buf, n)",
    "write(fd, buf, n) == -1",
    "-1 == write(fd, buf, n)",
    "write(fd, buf, n) != n",
    "n != write(fd, buf, n)",
    "(size_t)write(fd, buf, (size_t)n) != (size_t)n",
    "close(fd)",
    "close(fd) != 0",
    "fsync(fd) < 0",
  ]) {
    assert.equal(checked(cond), ["run1", "run1"], cond);
  }
  // Ways of leaving: goto, return, break/continue, a noreturn call, a block ending so.
  for (const leave of ["goto out;", "return;", 'err(1, "w");', '{ perror("w"); exit(2); }']) {
    assert.equal(checked("write(fd, buf, n) != n", leave), ["run1", "run1"], leave);
  }
  // A failure path that goes on: its branch runs after the flush, followed
  // by the rest of the run as written (the failed check cancelled it); only
  // calls with pure arguments and checks may be in that rest.
  for (const goesOn of ["n = 0;", 'perror("w");', "{ n = 0; count++; }"]) {
    assert.equal(checked("write(fd, buf, n) != n", goesOn), ["run1", "run1"], goesOn);
    assert.equal(
      verdicts(`write(fd, buf, 1); if (write(fd, buf, n) != n) ${goesOn} write(fd, buf, 2);`),
      ["run1", "run1", "run1"],
      goesOn,
    );
    for (const after of ["write(fd, buf, n++);", "n = write(fd, buf, 2);", "count++; close(fd);"]) {
      assert.equal(
        verdicts(`write(fd, buf, 1); if (write(fd, buf, n) != n) ${goesOn} ${after}`),
        ["run1", "run1", "after-check"],
        `${goesOn} ${after}`,
      );
    }
  }
  // Not a check this can honour: the comparison does not say "failed", the
  // count is not the call's, an else, an open's fd,
  // an lseek's offset, a call with a side effect in what it is compared with.
  for (const [cond, leave] of [
    ["write(fd, buf, n) != 1", "return;"],
    ["write(fd, buf, n) < n", "return;"],
    ["write(fd, buf, n) > 0", "return;"],
    ["close(fd) > 0", "return;"],
    ["write(fd, buf, n) != n", "return; else n++;"],
    ['open("x", O_RDONLY) < 0', "return;"],
    ["lseek(fd, 0, SEEK_SET) < 0", "return;"],
    ["write(fd, buf, n++) != n++", "return;"],
  ]) {
    const v = checked(cond ?? "", leave);
    assert.not.equal(v.slice(-1), ["run1"], `${cond} / ${leave}: ${v.join(",")}`);
  }
});

test("checked results: an || chain of checked calls is one check, each call tagged", () => {
  assert.equal(
    verdicts(
      "if (write(fd, buf, n) != n || fsync(fd) < 0 || close(fd)) return; write(fd, buf, 2);",
    ),
    ["run1", "run1", "run1", "run1"],
  );
  // Any other operand, or another operator: the results are used as written.
  for (const cond of [
    "close(fd) < 0 || n",
    "n || close(fd) < 0",
    "close(fd) < 0 && fsync(fd) < 0",
    "close(fd) < 0 || n++ < 0",
  ]) {
    assert.ok(verdicts(`write(fd, buf, 1); if (${cond}) return;`).includes("result-used"), cond);
  }
  const out = transformSource(
    `${prelude}void f(int fd, char *buf, int n)\n{\n\tif (close(fd) < 0 || fsync(fd)) perror("x");\n\twrite(fd, buf, n);\n}\n`,
  ).output;
  assert.match(
    out,
    /batch_checked\(1, DBATCH_CHECK_ERROR, 0, close\(fd\)\) < 0 \|\| batch_checked\(2, /,
  );
  assert.match(out, /if \(dbatch_failed_ >= 1 && dbatch_failed_ <= 2\) \{ perror\("x"\);/);
});

test("checked results: after a check only calls may follow in the run (after-check)", () => {
  assert.equal(verdicts("if (write(fd, buf, n) != n) return; write(fd, buf, 2); close(fd);"), [
    "run1",
    "run1",
    "run1",
  ]);
  // Both lone calls are blamed on the boundary that kept them apart.
  assert.equal(verdicts("if (write(fd, buf, n) != n) return; n++; write(fd, buf, 2);"), [
    "after-check",
    "after-check",
  ]);
  assert.equal(
    verdicts("write(fd, buf, 1); if (write(fd, buf, n) != n) return; n++; write(fd, buf, 2);"),
    ["run1", "run1", "after-check"],
  );
  // Before the first check, anything the run allows.
  assert.equal(verdicts("n++; write(fd, buf, 1); n--; if (close(fd) < 0) return;"), [
    "run1",
    "run1",
  ]);
  // Nested in another statement, a check does not join the run around it
  // (its failure branch could not run in its place); inside its own block it
  // may start one.
  assert.equal(verdicts("write(fd, buf, 1); { if (close(fd) < 0) return; }"), [
    "single-call",
    "single-call",
  ]);
  assert.equal(
    verdicts("write(fd, buf, 1); for (;;) { if (close(fd) < 0) return; write(fd, buf, 1); }"),
    ["single-call", "run1", "run1"],
  );
});

test("checked results: the call is wrapped, the flush runs the failure branch of the check that failed", () => {
  const out = output(
    'write(fd, buf, 1);\n\tif (write(fd, buf, n) != n)\n\t\tgoto out;\n\tif (close(fd) < 0)\n\t\terr(1, "close");\nout:\n\treturn;',
  );
  assert.match(
    out,
    /\tif \(batch_checked\(1, DBATCH_CHECK_COUNT, n, write\(fd, buf, n\)\) != n\)\n\t\tgoto out;/,
  );
  assert.match(out, /\tif \(batch_checked\(2, DBATCH_CHECK_ERROR, 0, close\(fd\)\) < 0\)\n/);
  assert.match(
    out,
    /\t\{ int dbatch_failed_ = batch_flush_checked\(\); if \(dbatch_failed_ == 1\) goto out; else if \(dbatch_failed_ == 2\) err\(1, "close"\); \}\nout:/,
  );
  // A second run finds the run it made and leaves it.
  const text = `${prelude}#include <dbatch.h>\nvoid f(int fd, char *buf, int n)\n{\n${out.slice(out.indexOf("{\n") + 2)}`;
  assert.is(transformSource(text).edits.length, 0);
});

test("checked results: a project's noreturn functions leave too (declared in the file, or named)", () => {
  // A variable check may follow a check that leaves, not one that goes on.
  const body = "write(fd, buf, 1); if (write(fd, buf, n) != n) write_fatal(); n = close(fd);";
  const run = (declarations: string, noreturn: string[] = []) => {
    const text = `${prelude}${declarations}\nvoid f(int fd, char *buf, int n)\n{\n${body}\n}\n`;
    return transformSource(text, { noreturn }).sites.map((s) =>
      s.batched ? `run${s.run}` : s.reason,
    );
  };
  const batched = ["run1", "run1", "run1"];
  assert.not.equal(run("void write_fatal(void);"), batched);
  assert.equal(run("void write_fatal (void) __attribute__ ((noreturn));"), batched);
  assert.equal(run("_Noreturn void write_fatal(void);"), batched);
  assert.equal(run("[[noreturn]] extern void write_fatal(void);"), batched);
  assert.equal(run("void write_fatal(void);", ["write_fatal"]), batched);
  // A macro of that name is not the function.
  assert.not.equal(run("#define write_fatal() (void)0", ["write_fatal"]), batched);
});

test("a syntax error costs its statement: runs around it, inside its sound blocks, not right after it", () => {
  // The statement after an unreadable one may be a statement-like macro's body.
  assert.equal(
    verdicts(
      "write(fd, buf, 1); write(fd, buf, 2); BEGIN_SECTION write(fd, buf, 3); write(fd, buf, 4);",
    ),
    ["run1", "run1", "parse-error", "parse-error"],
  );
  // #ifdef inside a condition (a fragment group): parsed as its first
  // branch, the if is a hazard (preprocessor), its braced body is a block in
  // every configuration, and the statements after the if are read as usual.
  assert.equal(
    verdicts(
      "write(fd, buf, 1); write(fd, buf, 2);\nif (n < 0\n#ifdef X\n && n != 3\n#endif\n) { write(fd, buf, 3); write(fd, buf, 4); }\nwrite(fd, buf, 5); write(fd, buf, 6); write(fd, buf, 7);",
    ),
    ["run1", "run1", "run2", "run2", "run3", "run3", "run3"],
  );
  // Braces that only balance per configuration: the function is left alone.
  assert.equal(
    verdicts(
      "#ifdef X\n if (n) {\n#else\n if (!n) {\n#endif\n write(fd, buf, 1); write(fd, buf, 2);\n }\n write(fd, buf, 3); write(fd, buf, 4);",
    ),
    ["parse-error", "parse-error", "parse-error", "parse-error"],
  );
});

test("alternative if headers in #if/#else before one body (lighttpd): the first is read, the if joins no run, its body and the rest are batched", () => {
  const body =
    "write(fd, buf, 1); write(fd, buf, 2);\n#ifndef HAVE_RENAMEAT2\nif (0 == rename(buf, buf))\n#else\nif (0 == renameat2(0, buf, 0, buf, 0))\n#endif\n{ write(fd, buf, 3); write(fd, buf, 4); }\nelse { close(fd); unlink(buf); }\nwrite(fd, buf, 5); write(fd, buf, 6);";
  assert.equal(verdicts(body), [
    "run1",
    "run1",
    "result-used",
    "run2",
    "run2",
    "run3",
    "run3",
    "run4",
    "run4",
  ]);
  // Nothing is inserted inside the group: both configurations compile alike.
  const out = output(body);
  assert.not.match(out.slice(out.indexOf("#ifndef"), out.indexOf("#endif")), /batch_/);
  // A lone #ifdef'd if header governing the statement after #endif: that
  // statement is the if's body in one configuration, so it joins nothing
  // (read as the unbraced body of an if that is a hazard: alone).
  assert.equal(
    verdicts(
      "write(fd, buf, 1); write(fd, buf, 2);\n#ifdef X\nif (n)\n#endif\nwrite(fd, buf, 3);\nwrite(fd, buf, 4); write(fd, buf, 5);",
    ),
    ["run1", "run1", "single-call", "run2", "run2"],
  );
});

test("an #ifdef an else runs into (lighttpd): the function is read, the if that crosses the group joins no run", () => {
  const body =
    "write(fd, buf, 1); write(fd, buf, 2);\n#ifdef X\nif (n) write(fd, buf, 3);\nelse\n#endif\nwrite(fd, buf, 4);\nwrite(fd, buf, 5); write(fd, buf, 6);";
  // Its branches are lists of their own (here one call each).
  assert.equal(verdicts(body), ["run1", "run1", "single-call", "single-call", "run2", "run2"]);
  // Nothing is inserted between #ifdef and #endif: balanced in both configurations.
  const out = output(body);
  const group = out.slice(out.indexOf("#ifdef X"), out.indexOf("#endif"));
  assert.not.match(group, /batch_/);
});

test("assigned to a variable: ret = call; ends a run whose flush assigns the real value", () => {
  const body =
    "write(fd, buf, 1);\n\tn = write(fd, buf, 2);\n\tif (n != 2)\n\t\treturn;\n\twrite(fd, buf, 3);\n\tint r = close(fd);\n\tif (r < 0)\n\t\treturn;";
  assert.equal(verdicts(body), ["run1", "run1", "run2", "run2"]);
  const out = output(body);
  assert.match(
    out,
    /\tn = batch_checked\(1, DBATCH_CHECK_ERROR, 0, write\(fd, buf, 2\)\);\n\t\{ \(void\)batch_flush_checked\(\); n = batch_checked_value\(1, n\); \}\n\tif \(n != 2\)/,
  );
  assert.match(
    out,
    /\tint r = batch_checked\(1, DBATCH_CHECK_ERROR, 0, close\(fd\)\);\n\t\{ \(void\)batch_flush_checked\(\); r = batch_checked_value\(1, r\); \}/,
  );
  // Whatever reads the variable afterwards: it runs after the flush.
  for (const after of ["if (n != 2) n = 0;", "n++; if (n != 3) return;", "total += n;", ""]) {
    assert.equal(
      verdicts(`write(fd, buf, 1); n = write(fd, buf, 2); ${after}`),
      ["run1", "run1"],
      after,
    );
  }
  // Nothing joins the run after it: the next call starts another.
  assert.equal(verdicts("write(fd, buf, 1); n = write(fd, buf, 2); write(fd, buf, 3);"), [
    "run1",
    "run1",
    "after-check",
  ]);
  // Not an assignment the flush can make: errno, a const, a compound
  // assignment, an open's fd (a placeholder rule of its own), an lseek's offset.
  for (const [stmt, reason] of [
    ["errno = write(fd, buf, 2);", "result-used"],
    ["const ssize_t k = write(fd, buf, 2);", "result-used"],
    ["n += write(fd, buf, 2);", "result-used"],
    ["off = lseek(fd, 0, SEEK_CUR);", "result-used"],
  ] as const) {
    assert.equal(verdicts(`write(fd, buf, 1); ${stmt}`).at(-1), reason, stmt);
  }
});

test("every call in a check's failure branch gets a verdict: failure-branch when the check is batched, its own runs when not", () => {
  assert.equal(verdicts("write(fd, buf, 1); if (write(fd, buf, n) != n) { close(fd); return; }"), [
    "run1",
    "run1",
    "failure-branch",
  ]);
  // The check alone (too short to batch): its branch is plain code, with a run of its own.
  assert.equal(verdicts("if (write(fd, buf, n) != n) { close(fd); unlink(buf); return; } n++;"), [
    "single-call",
    "run1",
    "run1",
  ]);
  // A check that is a hazard where it stands (it crosses a conditional group): the same.
  const crossing = verdicts(
    "write(fd, buf, 1);\n#ifdef X\nif (n) write(fd, buf, 2);\nelse\n#endif\nif (write(fd, buf, n) != n) { close(fd); unlink(buf); }",
  );
  assert.equal(crossing.slice(-2), ["run1", "run1"]);
});

test("noreturnNames: the declared name, not the attribute's or a parameter's", () => {
  assert.equal(
    [
      ...noreturnNames(
        "void a (int) __attribute__ ((noreturn));\n" +
          "extern void b (char const *, ...) __attribute__ ((noreturn, format (printf, 1, 2)));\n" +
          "_Noreturn static void c(void (*cb)(int)) { for (;;); }\n" +
          "__attribute__((__noreturn__)) void d(void);\nvoid e(void);\n",
      ),
    ].sort(),
    ["a", "b", "c", "d"],
  );
  // A comment before the declaration that says noreturn and holds `word (`
  // does not take the declaration's place.
  assert.equal(
    [
      ...noreturnNames(
        "/* a noreturn call ends it; the run (the rest) goes on */\n#include <x.h>\nvoid fatal(void) __attribute__((noreturn));\n",
      ),
    ],
    ["fatal"],
  );
});

// What an adversarial helper found (fixtures/adversarial: checked_narrowing_cast,
// checked_own_err, checked_impure_object_macro, checked_chain_read_buffer,
// macro_token_pasting, pure_macro_shared_variable, macro_reads_read_buffer).
test("found by the adversarial helper: checks, macros and names that are not what they look like", () => {
  const run = (head: string, body: string) => {
    const text = `${prelude}${head}\nvoid f(int fd, char *buf, int n)\n{\n${body}\n}\n`;
    return transformSource(text).sites.map((s) => (s.batched ? `run${s.run}` : s.reason));
  };
  // A narrowing cast: the whole count fails the comparison too.
  assert.equal(
    run("", "if ((char)write(fd, buf, 300) != 300) n++; write(fd, buf, 1);")[0],
    "result-used",
  );
  assert.equal(
    run("", "if ((ssize_t)write(fd, buf, 300) != 300) n++; write(fd, buf, 1);")[0],
    "run1",
  );
  // The file's own err() returns: its branch goes on (the rest is copied).
  const own = transformSource(
    `${prelude}static void err(int e, const char *s) { (void)e; (void)s; }\nvoid f(int fd)\n{\n\tif (close(fd) < 0)\n\t\terr(1, "x");\n\twrite(fd, "a", 1);\n}\n`,
  ).output;
  assert.match(own, /if \(dbatch_failed_ == 1\) \{ err\(1, "x"\);/);
  // An object-like macro with a side effect is no pure argument after a check.
  assert.equal(
    run("int k;\n#define CNT (k++, 1)", "if (close(fd) < 0) n++; write(fd, buf, CNT);"),
    ["after-check", "after-check"],
  );
  // A chain whose write uses the buffer its read fills is no check.
  assert.equal(run("", "if (read(fd, buf, 4) != 4 || write(1, buf, 4) != 4) n++;"), [
    "result-used",
    "result-used",
  ]);
  // A macro through another reads what that one reads: a deferred read's buffer.
  assert.equal(
    run(
      "int arr[2];\n#define FIRST (arr[0])\n#define F2() FIRST",
      "read(fd, arr, 8); write(F2(), buf, 1); write(1, buf, 1);",
    ),
    ["read-buffer-used", "run1", "run1"],
  );
  // ... and a volatile it reads is shared.
  assert.ok(
    run(
      "volatile int got;\n#define PICK() (got ? 1 : 2)",
      "write(PICK(), buf, 1); write(1, buf, 1);",
    ).includes("shared-variable"),
  );
});

test.run();
