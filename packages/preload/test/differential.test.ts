// Differential suite: every program in fixtures/programs/ is compiled as
// written and as transformed by @dbatch/transform (<dbatch.h>, batch_start/
// batch_flush inserted), and the transformed one is run under
// libdbatch-preload.so with each host backend. stdout, stderr, exit status
// and every file left in the working directory must be identical to the
// original's. The stats line goes to DBATCH_STATS_FILE (not stderr) and must
// show recorded > 0 and flushes > 0 for emulate/uring, 0 for off: a run in
// which the interposer did nothing does not pass.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { transformSource } from "@dbatch/transform";
import {
  build,
  compile,
  hostBackends,
  includeDir,
  programsDir,
  runIn,
  runPreloaded,
  tempDir,
  type RunResult,
} from "./helpers.ts";

const programs = readdirSync(programsDir)
  .filter((n) => existsSync(join(programsDir, n, "main.c")))
  .sort();

const binDir = tempDir("bins");
const cache = new Map<
  string,
  { orig: string; batched: string; original: RunResult; args: string[]; stdin?: Buffer }
>();

function prepare(name: string) {
  const hit = cache.get(name);
  if (hit) return hit;
  build();
  const dir = join(programsDir, name);
  const source = readFileSync(join(dir, "main.c"), "utf8");
  const result = transformSource(source, { fileName: `${name}/main.c` });
  assert.ok(
    result.output.includes("batch_start();"),
    `${name}: the transform inserted no batch_start()`,
  );
  assert.ok(result.output.includes("#include <dbatch.h>"), `${name}: no #include <dbatch.h>`);
  const orig = join(binDir, `${name}.orig`);
  const batched = join(binDir, `${name}.batched`);
  compile(source, orig);
  compile(result.output, batched, ["-I", includeDir]);
  const args = existsSync(join(dir, "args"))
    ? readFileSync(join(dir, "args"), "utf8").trim().split(/\s+/)
    : [];
  const stdin = existsSync(join(dir, "stdin")) ? readFileSync(join(dir, "stdin")) : undefined;
  const original = runIn(orig, { args, stdin });
  const entry = { orig, batched, original, args, stdin };
  cache.set(name, entry);
  return entry;
}

function sameFiles(a: Map<string, string>, b: Map<string, string>, what: string) {
  assert.equal([...b.keys()], [...a.keys()], `${what}: file list differs`);
  for (const [k, v] of a) assert.ok(b.get(k) === v, `${what}: ${k} differs`);
}

test("at least 20 fixture programs", () => {
  assert.ok(programs.length >= 20, `only ${programs.length} programs`);
});

// Each host backend, plus uring with its optimisations off (plain linked
// SQE chains and open-install splits, path ops in the ring), and uring with
// path ops in the ring (where opens can use direct descriptors), so every
// path stays correct.
const variants: { label: string; backend: string; env?: Record<string, string> }[] = [
  ...hostBackends.map((b) => ({ label: b, backend: b })),
  // every batch through the ring, as before the no-gain rule
  { label: "uring-always", backend: "uring", env: { DBATCH_URING_ALWAYS: "1" } },
  {
    label: "uring-chain",
    backend: "uring",
    env: {
      DBATCH_URING_COALESCE: "0",
      DBATCH_URING_SLOTS: "0",
      DBATCH_URING_PATHOPS: "0",
      DBATCH_URING_ALWAYS: "1",
    },
  },
  {
    label: "uring-ring-paths",
    backend: "uring",
    env: { DBATCH_URING_PATHOPS: "0", DBATCH_URING_ALWAYS: "1" },
  },
];

for (const name of programs) {
  for (const { label, backend, env } of variants) {
    test(`${name} [${label}] matches the original`, () => {
      const p = prepare(name);
      const r = runPreloaded(p.batched, backend, { args: p.args, stdin: p.stdin, env });
      const what = `${name} [${label}]`;
      assert.is(r.signal, p.original.signal, `${what}: signal`);
      assert.is(r.code, p.original.code, `${what}: exit status`);
      assert.is(
        r.stdout.toString("latin1"),
        p.original.stdout.toString("latin1"),
        `${what}: stdout`,
      );
      assert.is(
        r.stderr.toString("latin1"),
        p.original.stderr.toString("latin1"),
        `${what}: stderr`,
      );
      sameFiles(p.original.files, r.files, what);
      assert.ok(r.stats.lines.length >= 1, `${what}: no stats line`);
      assert.is(r.stats.backend, backend, `${what}: backend in stats`);
      if (backend === "off") {
        assert.is(r.stats.recorded, 0, `${what}: off must not record`);
      } else {
        assert.ok(r.stats.recorded > 0, `${what}: nothing recorded (${r.stats.lines.join(" / ")})`);
        assert.ok(r.stats.flushes > 0, `${what}: nothing flushed (${r.stats.lines.join(" / ")})`);
      }
    });
  }
}

test("without LD_PRELOAD the transformed program runs directly and matches", () => {
  for (const name of ["seed_example", "deferred_open", "fs_ops"]) {
    const p = prepare(name);
    const r = runIn(p.batched, { args: p.args, stdin: p.stdin });
    assert.is(r.code, p.original.code);
    assert.is(r.stdout.toString("latin1"), p.original.stdout.toString("latin1"));
    sameFiles(p.original.files, r.files, `${name} [no preload]`);
  }
});

test("DBATCH_STATS=1 adds exactly one dbatch: line to stderr", () => {
  const p = prepare("exit_code");
  const r = runIn(p.batched, {
    env: {
      ...process.env,
      LD_PRELOAD: join(includeDir, "..", "build", "libdbatch-preload.so"),
      DBATCH_BACKEND: "emulate",
      DBATCH_STATS: "1",
    },
  });
  const lines = r.stderr
    .toString()
    .split("\n")
    .filter((l) => l.startsWith("dbatch:"));
  assert.is(lines.length, 1);
  assert.match(lines[0] ?? "", /^dbatch: backend=emulate recorded=3 flushes=1 kernel_entries=3$/);
  const rest = r.stderr
    .toString()
    .split("\n")
    .filter((l) => !l.startsWith("dbatch:"))
    .join("\n");
  assert.is(rest, p.original.stderr.toString());
});

test.after(() => rmSync(binDir, { recursive: true, force: true }));

test.run();
