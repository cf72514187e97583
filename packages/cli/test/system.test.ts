// dbatch doctor, kmod, vm, run --vm, bench's entry point, and the top-level help.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  cleanEnv,
  dbatch,
  dbatchBin,
  listTree,
  repoRoot,
  scratch,
  seedExample,
  spawn,
} from "./helpers.ts";

const programsDir = join(repoRoot, "fixtures", "programs");

const hostHasModules = existsSync("/proc/modules");
const rig = join(repoRoot, "packages", "vm", "src", "index.ts");
const vmReady = existsSync(rig) && existsSync("/usr/bin/qemu-system-x86_64");

test("dbatch --help lists every command; no command is a usage error; --version", () => {
  const h = dbatch(["--help"]);
  assert.is(h.status, 0);
  for (const c of ["run", "build", "bench", "doctor", "kmod", "vm", "install-hook"]) {
    assert.match(h.stdout, new RegExp(`^  ${c}\\b`, "m"), `--help lacks ${c}`);
  }
  assert.is(dbatch([]).status, 2);
  assert.match(dbatch(["--version"]).stdout, /^dbatch \d+\.\d+\.\d+\n$/);
  for (const c of ["run", "build", "doctor", "install-hook"]) {
    const r = dbatch([c, "--help"]);
    assert.is(r.status, 0, `${c} --help`);
    assert.match(r.stdout, new RegExp(`^Usage: dbatch ${c}`), `${c} --help`);
  }
});

test("dbatch doctor: a line per check, the backends, exit 0 when one batching backend works", () => {
  const r = dbatch(["doctor"], { timeout: 60_000 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  for (const name of [
    "C compiler",
    "kernel module support",
    "/dev/batch",
    "io_uring_setup",
    "qemu",
    "VM kernel image",
  ]) {
    assert.match(
      r.stdout,
      new RegExp(`^\\[(?: ok | no |info)\\] ${name.replace("/", "\\/")}: `, "m"),
      `no ${name} check`,
    );
  }
  // Every failed check says how to fix it.
  const lines = r.stdout.split("\n");
  lines.forEach((l, i) => {
    if (l.startsWith("[ no ]")) assert.match(lines[i + 1] ?? "", /^ {7}fix: /, `no fix for: ${l}`);
  });
  assert.match(r.stdout, /^backends here:$/m);
  const works =
    /^ {2}(kmod \(host\)|uring) +works$/m.test(r.stdout) ||
    /^ {2}kmod \(VM\) +ready/m.test(r.stdout);
  assert.is(r.status, works ? 0 : 1);
  if (!hostHasModules)
    assert.match(r.stdout, /\[ no \] kernel module support: .*no loadable module support/);
});

test("dbatch kmod: status reports honestly; load/unload explain a kernel without modules", () => {
  const s = dbatch(["kmod", "status"]);
  assert.match(s.stdout, /^module support: (yes|no)/m);
  assert.match(s.stdout, /^\/dev\/batch: +/m);
  if (!hostHasModules) {
    assert.is(s.status, 1);
    for (const sub of ["load", "unload"]) {
      const r = dbatch(["kmod", sub]);
      assert.is(r.status, 1, `kmod ${sub}`);
      assert.match(r.stderr, /^dbatch: the running kernel \(.*\) has no loadable module support/m);
      assert.match(r.stderr, /dbatch vm/);
    }
  } else {
    console.log("  (host has module support: load/unload not exercised here)");
  }
  const kdir = spawnSync(
    "make",
    ["-s", "--no-print-directory", "-C", join(repoRoot, "packages", "kmod"), "kdir"],
    {
      encoding: "utf8",
    },
  );
  if (kdir.status === 0 && kdir.stdout.trim() !== "") {
    const b = dbatch(["kmod", "build"], { timeout: 300_000 });
    assert.is(b.status, 0, b.stderr);
    assert.match(b.stderr, /^dbatch: building batch\.ko against \S+/m);
    assert.match(b.stderr, /^dbatch: built \S+batch\.ko \(vermagic \S+/m);
  } else {
    console.log("  (no kernel headers: kmod build not exercised)");
  }
  const bad = dbatch(["kmod", "explode"]);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /unknown subcommand 'explode'/);
});

test("dbatch bench dispatches to the benchmark module", () => {
  const r = dbatch(["bench", "--help"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /bench/);
});

test("dbatch bench times its own start-up against prettier and judges it", () => {
  const r = dbatch(
    [
      "bench",
      "--quick",
      "--no-vm",
      "--no-perf",
      "--quiet",
      "--workloads",
      "seed",
      "--methods",
      "plain",
      "--reps",
      "2",
      "--large-mb",
      "1",
    ],
    { timeout: 120_000 },
  );
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| dbatch --help +\| +\d+ ms \| +\d+ ms \| +\d+\.\d\dx \|/);
  assert.match(r.stdout, /\| prettier --help +\| +\d+ ms/);
  assert.match(r.stdout, /\| dbatch-transform --check example\.c +\|/);
  assert.match(r.stdout, /\| prettier --check stats\.ts +\|/);
  assert.match(r.stdout, /\| (PASS|FAIL) +\| start-up, help, host +\|/);
  assert.match(r.stdout, /\| (PASS|FAIL) +\| start-up, check one file, host +\|/);
  // The large file's peak memory, measured in the binary's own process.
  assert.match(r.stdout, /\| dbatch-transform --check +\| +[\d.]+ s \| +\d+ MB \| +[\d.]+x \|/);
  assert.match(r.stdout, /\| dbatch-transform --write +\| +[\d.]+ s \| +\d+ MB \| +[\d.]+x \|/);
  assert.match(r.stdout, /\| NOT MEASURED +\| large input, host +\|/);
});

test("dbatch vm -m and dbatch run --vm: the seed example batched by batch.ko in the VM", () => {
  if (!vmReady) {
    console.log(`  SKIPPED: the VM rig (${rig}) or qemu is not there`);
    return;
  }
  const vm = dbatch(
    ["vm", "-m", "--", "grep -c '^batch ' /proc/modules; test -c /dev/batch && echo dev-ok"],
    {
      timeout: 300_000,
    },
  );
  assert.is(vm.status, 0, vm.stderr);
  assert.is(vm.stdout, "1\ndev-ok\n");
  const cwd = scratch();
  const r = dbatch(["run", "--vm", "--stats", seedExample], { cwd, timeout: 300_000 });
  assert.is(r.status, 0, r.stderr);
  // The program's stdout and stderr (the stats line) stay apart, and the
  // file it writes lands in the caller's working directory.
  assert.is(r.stdout, "hihi");
  // Four calls (the open recorded: its number is only the run's), no
  // writes to merge: the module would cost more than it saves, so they ran
  // as plain calls (the kmod backend's cost rule): four kernel entries, as
  // the plain program's.
  assert.match(
    r.stderr,
    /^dbatch: backend=kmod recorded=4 flushes=1 kernel_entries=4 splits=1 split_reason=no-gain:1$/m,
  );
  assert.match(r.stderr, /^dbatch: VM kernel \S+, batch\.ko loaded$/m);
  assert.equal(listTree(cwd), ["test.txt"]);
  assert.is(readFileSync(join(cwd, "test.txt"), "utf8"), "hihi");
});

test("dbatch run --vm --kernel: the kernel of the matrix it names; an unknown one is named in the error", () => {
  if (!vmReady) {
    console.log(`  SKIPPED: the VM rig (${rig}) or qemu is not there`);
    return;
  }
  const cwd = scratch();
  // DBATCH_KMOD_ALWAYS goes along into the VM: the batch, the open with
  // it, is one ioctl.
  const r = dbatch(["run", "--vm", "--kernel", "6.12", "--stats", seedExample], {
    cwd,
    timeout: 300_000,
    env: cleanEnv({ DBATCH_KMOD_ALWAYS: "1" }),
  });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^dbatch: backend=kmod recorded=4 flushes=1 kernel_entries=1$/m);
  assert.match(r.stderr, /^dbatch: VM kernel 6\.12\.\S+-amd64, batch\.ko loaded$/m);
  const bad = dbatch(["run", "--vm", "--kernel", "9.9", seedExample], { cwd, timeout: 60_000 });
  assert.not.equal(bad.status, 0);
  assert.match(bad.stderr, /no kernel 9\.9 \(installed: .*6\.1\./);
  const noVm = dbatch(["run", "--kernel", "6.12", seedExample], { cwd });
  assert.is(noVm.status, 2);
  assert.match(noVm.stderr, /^dbatch run: --kernel needs --vm$/m);
});

test("dbatch run --vm streams stdin: bytes that arrive after the program started, then end of file", () => {
  if (!vmReady) {
    console.log(`  SKIPPED: the VM rig (${rig}) or qemu is not there`);
    return;
  }
  const cwd = scratch();
  // Copies stdin to stdout in write()s of what each read() gave, then says how much.
  writeFileSync(
    join(cwd, "cat.c"),
    [
      "#include <stdio.h>",
      "#include <unistd.h>",
      "int main(void)",
      "{",
      "\tchar buf[4096];",
      "\tlong n, total = 0;",
      "\twhile ((n = read(0, buf, sizeof(buf))) > 0) {",
      "\t\twrite(1, buf, n);",
      "\t\ttotal += n;",
      "\t}",
      '\tfprintf(stderr, "%ld bytes, eof %ld\\n", total, n);',
      "\treturn 0;",
      "}",
      "",
    ].join("\n"),
  );
  // The second half is written 3 s after the first: long after the boot.
  const r = spawn(
    "sh",
    [
      "-c",
      `(printf 'first\\n'; sleep 3; printf 'second\\n\\001\\377') | ${JSON.stringify(dbatchBin)} run --vm cat.c`,
    ],
    { cwd, timeout: 300_000 },
  );
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "first\nsecond\n\u0001\ufffd");
  assert.is(r.stderr, "15 bytes, eof 0\n");
});

// `dbatch run --vm` is a local run in a VM: the differential programs give
// the same stdout, stderr, exit code and files in the working directory as
// `dbatch run` on this machine (a sample of fixtures/programs: files, args,
// stdin, stderr, exit codes; one VM boot each).
// DBATCH_VM_DIFF=all runs every program (one boot each, about 4 minutes).
const vmSample =
  process.env.DBATCH_VM_DIFF === "all"
    ? readdirSync(programsDir)
        .filter((n) => existsSync(join(programsDir, n, "main.c")))
        .sort()
    : ["args_files", "stdin_copy", "stderr_mix", "exit_code", "many_files"];
for (const name of vmSample) {
  test(`dbatch run --vm ${name}: same stdout, stderr, exit code and files as dbatch run`, () => {
    if (!vmReady) {
      console.log(`  SKIPPED: the VM rig (${rig}) or qemu is not there`);
      return;
    }
    const dir = join(programsDir, name);
    const args = existsSync(join(dir, "args"))
      ? readFileSync(join(dir, "args"), "utf8").trim().split(/\s+/)
      : [];
    const input = existsSync(join(dir, "stdin")) ? readFileSync(join(dir, "stdin"), "utf8") : "";
    const local = scratch();
    const inVm = scratch();
    const source = join(dir, "main.c");
    const a = dbatch(["run", source, "--", ...args], { cwd: local, input });
    const b = dbatch(["run", "--vm", source, "--", ...args], {
      cwd: inVm,
      input,
      timeout: 300_000,
    });
    assert.is(b.stdout, a.stdout, "stdout");
    assert.is(b.stderr, a.stderr, "stderr");
    assert.is(b.status, a.status, "exit code");
    assert.equal(listTree(inVm), listTree(local), "files");
    for (const f of listTree(local))
      assert.ok(readFileSync(join(inVm, f)).equals(readFileSync(join(local, f))), `${f} differs`);
  });
}

test.run();
