// Tests of the VM rig (packages/vm): three boots (~6-20 s each under
// TCG; one of them with -icount) and a killed one, plus checks without a VM.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { preloadLibraryPath } from "@dbatch/preload";
import { packCpio } from "../src/cpio.ts";
import { canonicalGuestPath } from "../src/initramfs.ts";
import {
  buildExternalModule,
  buildGuestProgram,
  findKernelProblems,
  fitFixedPlusPerCall,
  parseBenchLines,
  parseVmArgs,
  PRELOAD_GUEST_PATH,
  runInVm,
  TEST_MODULE_DIR,
  VM_INFRA_EXIT_CODE,
  vmMain,
  type VmResult,
} from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "dbatch-vm-test-"));
const hostFile = join(work, "hello.txt");
writeFileSync(hostFile, "host file contents\n");
const dynSrc = join(work, "dyn.c");
const dynBin = join(work, "dyn");
writeFileSync(
  dynSrc,
  '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("dyn uid=%d\\n",(int)getuid());return 0;}\n',
);
execFileSync("gcc", ["-O2", "-o", dynBin, dynSrc]);

let helloKo = "";

/** Context for a failed assertion about a VM run. */
function why(r: VmResult): string {
  const outs = r.results.map(
    (x, i) => `#${i} exit ${x.exitCode}: ${JSON.stringify(x.output.slice(0, 200))}`,
  );
  return [
    `errors: ${r.errors.join("; ") || "none"}`,
    `problems: ${r.problems.join("; ") || "none"}`,
    ...outs,
    "console tail:",
    ...r.console.split("\n").slice(-15),
  ].join("\n");
}
let clean: Promise<VmResult> | null = null;

function cleanBoot(): Promise<VmResult> {
  if (!helloKo) helloKo = buildExternalModule(TEST_MODULE_DIR);
  clean ??= runInVm({
    files: [
      { hostPath: hostFile, guestPath: "/opt/t/hello.txt" },
      { hostPath: dynBin, guestPath: "/tmp/dyn", mode: 0o755 },
    ],
    modules: [{ path: helloKo }],
    timeoutSeconds: 120,
    commands: [
      { run: "echo out; echo err >&2; printf 'no newline'" },
      { run: "echo before; exit 3" },
      { run: "id -u; id -g; id -G", user: "user" },
      { run: "test -c /dev/null && echo x >/dev/null && echo devnull-ok" },
      { run: "cat /opt/t/hello.txt" },
      { run: "/tmp/dyn", user: "user" },
      {
        run: 'cat; echo "[$FOO]"; pwd',
        stdin: "from stdin\n",
        env: { FOO: "b a'r" },
        cwd: "/home/user",
      },
      { run: "lsmod | grep -c '^hello '; grep -c 'tmpfs /tmp tmpfs' /proc/mounts" },
      { run: "sleep 20; echo not-reached", timeoutSeconds: 1 },
      { run: "echo still-running" },
      { run: 'test -x "$DBATCH_PRELOAD" && echo preload || echo no-preload', user: "user" },
      { run: "echo to-out; echo to-err >&2; exit 5", stderr: "separate", user: "user" },
      { run: "printf 'a\\000\\377b' > /tmp/out.bin", user: "user" },
    ],
    collect: ["/tmp/out.bin", "/tmp/dyn", "/nonexistent"],
  });
  return clean;
}

test("cpio: newc header and trailer, archive padded to 512", () => {
  const a = packCpio([{ kind: "file", path: "/x", mode: 0o644, data: Buffer.from("hi") }]);
  assert.is(a.subarray(0, 6).toString(), "070701");
  assert.ok(a.includes(Buffer.from("TRAILER!!!")));
  assert.is(a.length % 512, 0);
});

test("guest paths go through the merged-/usr links", () => {
  assert.is(
    canonicalGuestPath("/lib/x86_64-linux-gnu/libc.so.6"),
    "usr/lib/x86_64-linux-gnu/libc.so.6",
  );
  assert.is(canonicalGuestPath("/lib64/ld-linux-x86-64.so.2"), "usr/lib64/ld-linux-x86-64.so.2");
  assert.is(canonicalGuestPath("/sbin/insmod"), "usr/bin/insmod");
  assert.is(canonicalGuestPath("/usr/sbin/x"), "usr/bin/x");
  assert.is(canonicalGuestPath("/opt/dbatch/a"), "opt/dbatch/a");
});

test("findKernelProblems: warnings count, module taint notices do not", () => {
  const text = [
    "[    2.4] hello: loading out-of-tree module taints kernel.",
    "[    2.4] hello: module verification failed: signature and/or required key missing - tainting kernel",
    "[    3.7] WARNING: CPU: 0 PID: 99 at hello.c:20 hello_init+0x21/0x1000 [hello]",
    "[    3.8] Call Trace:",
    "[    4.0] BUG: kernel NULL pointer dereference, address: 0000000000000000",
    "[    4.1] general protection fault, probably for non-canonical address",
    "[    4.2] Oops: 0000 [#1] PREEMPT SMP NOPTI",
    "[    5.0] reboot: Power down",
  ].join("\n");
  assert.is(findKernelProblems(text).length, 5);
  assert.equal(findKernelProblems("[ 1.0] all fine\n[ 2.0] reboot: Power down\n"), []);
  const userFault =
    "[ 3.0] traps: fuzz[123] general protection fault ip:7f0 sp:7ff error:0 in libc.so.6";
  assert.equal(findKernelProblems(userFault), []);
});

test("icount harness: bench lines and the least-squares fit", () => {
  const recs = parseBenchLines(
    "bench-info x=1\nbench workload=seed mode=ioctl calls=8 rep=1 cost=2300\nnoise\n",
    "direct",
  );
  assert.equal(recs, [
    { run: "direct", workload: "seed", mode: "ioctl", calls: 8, rep: 1, cost: 2300 },
  ]);
  const fit = fitFixedPlusPerCall(
    [1, 8, 60, 512].map((n) => ({ calls: n, instructions: 1000 + 100 * n })),
  );
  assert.ok(Math.abs(fit.fixed - 1000) < 1e-6 && Math.abs(fit.perCall - 100) < 1e-9);
  assert.is(fit.r2, 1);
});

test("CLI arguments", () => {
  const o = parseVmArgs(["-u", "--icount", "-f", "/a:/b:755", "--", "ls", "-l", "a b"]);
  assert.is(o.user, "user");
  assert.ok(o.icount);
  assert.equal(o.files, [{ hostPath: "/a", guestPath: "/b", mode: 0o755 }]);
  assert.equal(o.commands, ["ls -l 'a b'"]);
  assert.equal(parseVmArgs(["--", "ls | wc -l"]).commands, ["ls | wc -l"]);
});

test("boot: output and exit status come back, kernel is clean", async () => {
  const r = await cleanBoot();
  assert.equal(r.problems, [], r.console);
  assert.ok(r.bootSeconds > 0 && r.bootSeconds < 100, `boot ${r.bootSeconds}s`);
  assert.is(r.results.length, 13, why(r));
  assert.is(r.results[0]?.exitCode, 0, why(r));
  assert.is(r.results[0]?.output, "out\nerr\nno newline", why(r));
  assert.is(r.results[1]?.exitCode, 3, why(r));
  assert.is(r.results[1]?.output, "before\n", why(r));
  assert.not.ok(r.ok, "a non-zero exit makes ok false");
  assert.equal(r.modulesLoaded, ["hello.ko"]);
  process.stdout.write(`  (boot ${r.bootSeconds}s, total ${r.totalSeconds}s)\n`);
});

test("boot: user commands run as uid 1000 without groups", async () => {
  const r = await cleanBoot();
  assert.is(r.results[2]?.output, "1000\n1000\n1000\n", why(r));
  assert.is(
    r.results[5]?.output,
    "dyn uid=1000\n",
    "dynamically linked program with its libraries",
  );
});

test("boot: /dev/null, host files, stdin, env, cwd, tmpfs, insmod", async () => {
  const r = await cleanBoot();
  assert.is(r.results[3]?.output, "devnull-ok\n", why(r));
  assert.is(r.results[4]?.output, "host file contents\n", why(r));
  assert.is(r.results[6]?.output, "from stdin\n[b a'r]\n/home/user\n", why(r));
  assert.is(r.results[7]?.output, "1\n1\n", why(r));
  const preload = existsSync(preloadLibraryPath) ? "preload" : "no-preload";
  assert.is(r.results[10]?.output, `${preload}\n`, `library at ${PRELOAD_GUEST_PATH}`);
});

test("boot: stderr: separate", async () => {
  const r = await cleanBoot();
  assert.is(r.results[11]?.output, "to-out\n", why(r));
  assert.is(r.results[11]?.stderr, "to-err\n", why(r));
  assert.is(r.results[11]?.exitCode, 5, why(r));
  assert.is(r.results[0]?.stderr, "", why(r));
});

test("boot: files come back with collect", async () => {
  const r = await cleanBoot();
  assert.equal(r.files["/tmp/out.bin"], Buffer.from([0x61, 0, 0xff, 0x62]), why(r));
  assert.ok(r.files["/tmp/dyn"]?.equals(readFileSync(dynBin)), "a binary file round-trips");
  assert.is(r.files["/nonexistent"], null);
});

test("boot: a command timeout kills only that command", async () => {
  const r = await cleanBoot();
  assert.ok(r.results[8]?.timedOut, why(r));
  assert.is(r.results[8]?.exitCode, 137, why(r));
  assert.not.match(r.results[8]?.output ?? "", /not-reached/);
  assert.is(r.results[9]?.output, "still-running\n", why(r));
  assert.ok(r.errors.some((e) => e.includes("timed out")));
});

// 60 writes to /dev/null timed with CLOCK_MONOTONIC (guest instructions
// under -icount), printed as the harness's bench lines.
const writesSrc = join(work, "writes.c");
writeFileSync(
  writesSrc,
  [
    "#include <fcntl.h>",
    "#include <stdio.h>",
    "#include <time.h>",
    "#include <unistd.h>",
    "static long long now(void)",
    "{",
    "\tstruct timespec t;",
    "\tclock_gettime(CLOCK_MONOTONIC, &t);",
    "\treturn t.tv_sec * 1000000000LL + t.tv_nsec;",
    "}",
    "int main(void)",
    "{",
    '\tint fd = open("/dev/null", O_WRONLY), ok = 1, rep, i;',
    "\tfor (rep = 0; rep < 2; rep++) {",
    "\t\tlong long t0 = now();",
    "\t\tfor (i = 0; i < 60; i++)",
    '\t\t\tok &= write(fd, "hello world\\n", 12) == 12;',
    '\t\tprintf("bench workload=seed mode=plain calls=60 rep=%d cost=%lld ok=%d\\n", rep + 1, now() - t0, ok);',
    "\t}",
    "\treturn 0;",
    "}",
    "",
  ].join("\n"),
);

test("icount boot: a kernel WARNING is a problem; guest clock deltas count instructions", async () => {
  if (!helloKo) helloKo = buildExternalModule(TEST_MODULE_DIR);
  const seedwrite = buildGuestProgram(writesSrc);
  const r = await runInVm({
    modules: [{ path: helloKo, params: "warn=1" }],
    files: [{ hostPath: seedwrite, guestPath: "/opt/t/seedwrite" }],
    commands: [
      { run: "echo fine" },
      { run: "/opt/t/seedwrite", user: "user" },
      { run: "rmmod hello && insmod /lib/modules/hello.ko warn=1" },
    ],
    icount: true,
    timeoutSeconds: 180,
  });
  assert.is(r.results[0]?.exitCode, 0, why(r));
  assert.ok(
    r.problems.some((p) => p.includes("WARNING:") && p.includes("hello")),
    r.problems.join("\n"),
  );
  assert.ok(r.problems.some((p) => p.includes("Call Trace")));
  assert.not.ok(r.ok);
  // The load-time WARNING came before any command; the second one during command 2.
  assert.equal(r.results[0]?.problems, [], why(r));
  assert.equal(r.results[1]?.problems, [], why(r));
  assert.is(r.results[2]?.exitCode, 0, why(r));
  assert.ok(
    r.results[2]?.problems.some((p) => p.includes("WARNING:")),
    why(r),
  );
  assert.ok(r.problems.filter((p) => p.includes("WARNING:")).length === 2, why(r));
  // Under -icount shift=0 a write() to /dev/null is ~590 guest instructions
  // (user + kernel); the same on every boot.
  const recs = parseBenchLines(r.results[1]?.output ?? "", "t");
  const plain = recs.filter((x) => x["mode"] === "plain");
  assert.is(plain.length, 2, why(r));
  for (const x of plain) {
    assert.is(x["ok"], 1, why(r));
    const perCall = Number(x["cost"]) / Number(x["calls"]);
    assert.ok(perCall > 300 && perCall < 1500, `plain write: ${perCall} instructions per call`);
  }
  process.stdout.write(
    `  (icount boot ${r.bootSeconds}s; plain write ${(Number(plain[1]?.["cost"] ?? 0) / 60).toFixed(1)} insns)\n`,
  );
});

test("CLI: exits with the failing command's status", async () => {
  const code = await vmMain(["--timeout", "120", "-c", "true", "-c", "exit 7", "-c", "true"]);
  assert.is(code, 7);
});

test("a hung VM is killed with a clear error", async () => {
  // A command that hangs: a boot alone may take less than the timeout.
  const r = await runInVm({ commands: [{ run: "sleep 600" }], timeoutSeconds: 2 });
  assert.not.ok(r.ok);
  assert.match(r.errors.join("\n"), /timed out after 2 s/);
  assert.is(r.results[0]?.exitCode, -1);
});

test("setup errors: missing file", async () => {
  let msg = "";
  try {
    await runInVm({
      commands: [{ run: "true" }],
      files: [{ hostPath: "/nonexistent", guestPath: "/x" }],
    });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /dbatch-vm: file not found/);
  assert.is(VM_INFRA_EXIT_CODE, 125);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
