// The generated files are what the specs render to now, and a mistake in a
// spec is reported with the entry's name before anything is generated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderCatalogueFiles } from "../src/generate.ts";
import { CatalogueError, readLibcFunctions, readSyscalls } from "../src/read.ts";
import { parameterNames } from "../src/render-preload.ts";
import { libcSpecPath, syscallsSpecPath } from "../src/paths.ts";

for (const file of renderCatalogueFiles()) {
  test(`not stale: ${file.path.split("/").slice(-2).join("/")}`, () => {
    assert.fixture(readFileSync(file.path, "utf8"), file.text, "stale: run pnpm gen:catalogue");
  });
}

test("the catalogue covers the calls dBatch batches", () => {
  const names = new Set(readSyscalls().map((s) => s.name));
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

test("every name that ends a run for the transform is interposed or says why not", () => {
  for (const f of readLibcFunctions()) {
    const interposed = f.ret !== undefined || f.custom !== undefined;
    assert.ok(interposed || (f.notInterposed ?? "").length > 10, f.name);
  }
});

test("parameter names: pointers, arrays, void, varargs", () => {
  assert.equal(parameterNames("int fd, const void *buf, size_t n"), ["fd", "buf", "n"]);
  assert.equal(parameterNames("int fds[2], int flags"), ["fds", "flags"]);
  assert.equal(parameterNames("void"), []);
  assert.equal(parameterNames("const char *path, int flags, ..."), ["path", "flags", "..."]);
});

/** A copy of a spec with one entry changed, read back: the error it gives. */
function errorOf(path: string, change: (spec: Record<string, unknown[]>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "dbatch-catalogue-"));
  try {
    const spec = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown[]>;
    change(spec);
    const copy = join(dir, "spec.json");
    writeFileSync(copy, JSON.stringify(spec));
    try {
      if (path === syscallsSpecPath) readSyscalls(copy);
      else readLibcFunctions(copy);
    } catch (e) {
      assert.instance(e, CatalogueError);
      return (e as Error).message;
    }
    return "";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("bad specs: the entry is named, nothing is generated", () => {
  assert.match(
    errorOf(syscallsSpecPath, (s) => {
      (s.syscalls?.[0] as { args: { kind: string }[] }).args[0]!.kind = "pointer";
    }),
    /write: unknown kind pointer/,
  );
  assert.match(
    errorOf(syscallsSpecPath, (s) => {
      (s.syscalls?.[1] as { libc: string[] }).libc.push("write");
    }),
    /pwrite64: libc name write listed twice/,
  );
  assert.match(
    errorOf(libcSpecPath, (s) => {
      s.functions?.push({ name: "fstat", role: "other", custom: "x.c" });
    }),
    /fstat: listed twice/,
  );
  assert.match(
    errorOf(libcSpecPath, (s) => {
      s.functions?.push({ name: "zzz", role: "stdio" });
    }),
    /zzz: needs exactly one of ret\+params, custom, notInterposed/,
  );
  assert.match(
    errorOf(libcSpecPath, (s) => {
      s.functions?.push({
        name: "zzz",
        role: "stdio",
        ret: "FILE *",
        params: "int fd",
        changesFds: { returns: "socket" },
      });
    }),
    /zzz: changesFds.returns: unknown socket/,
  );
  assert.match(
    errorOf(libcSpecPath, (s) => {
      s.functions?.push({
        name: "zzz",
        role: "other",
        custom: "x.c",
        changesFds: { returns: "fd" },
      });
    }),
    /zzz: changesFds.returns\/fills need a plain generated wrapper/,
  );
});

test.run();
