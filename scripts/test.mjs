#!/usr/bin/env node
// Runs every package's uvu suite, one process per package, streaming its
// output, and ends with the line CI reads: `N passed, N failed, N skipped`.
// uvu's own `Total:` summary is per process, so the counts are summed here.
// Usage: node scripts/test.mjs [checks] [package...]   (default: all, in build order)
//        node scripts/test.mjs kmod@6.12                (one kernel of the kmod matrix)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const order = ["catalogue", "transform", "preload", "vm", "kmod", "bench", "cli"];
// The catalogue is a top-level folder; every other suite is a package.
const suiteDir = (name) => join(root, ...(name === "catalogue" ? [name] : ["packages", name]));
// The kmod suite runs once per kernel line of the CI matrix; "kmod@6.12"
// names one run (6.1-rt and the others: DBATCH_VM_KERNEL=... by hand).
const kernelMatrix = ["6.1", "6.12"];
const wanted = process.argv.slice(2);
const suites = (wanted.length ? wanted : order)
  .flatMap((name) => (name === "kmod" ? kernelMatrix.map((k) => `kmod@${k}`) : [name]))
  .filter((suite) => existsSync(join(suiteDir(suite.split("@")[0]), "test")));
const uvu = join(root, "node_modules", ".bin", "uvu");

function runSuite(suite) {
  const [name, kernel] = suite.split("@");
  return new Promise((resolve) => {
    const cwd = suiteDir(name);
    process.stdout.write(`\n=== ${suite} ===\n`);
    const env = { ...process.env, FORCE_COLOR: "0" };
    if (kernel) env.DBATCH_VM_KERNEL = kernel;
    const child = spawn(uvu, ["-r", "tsx", "test", "\\.test\\.ts$", "--no-color"], {
      cwd,
      stdio: ["ignore", "pipe", "inherit"],
      env,
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on("close", (code) => {
      const count = (label) => {
        const m = out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m"));
        return m ? Number(m[1]) : null;
      };
      const total = count("Total");
      const passed = count("Passed");
      const skipped = count("Skipped") ?? 0;
      if (total === null || passed === null) {
        // The suite died before uvu could summarise: count it as one failure.
        resolve({ passed: 0, failed: 1, skipped: 0, code: code || 1 });
        return;
      }
      let failed = total - passed - skipped;
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ passed, failed, skipped, code });
    });
  });
}

// Repository checks, one test each: formatting and strict type checking are
// part of "done", so CI fails on them like on any other test.
function runCheck(label, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("close", (code) => {
      process.stdout.write(`${code === 0 ? "ok  " : "FAIL"} ${label}\n`);
      if (code !== 0) process.stdout.write(out);
      resolve(code === 0);
    });
  });
}

const bin = (name) => join(root, "node_modules", ".bin", name);
const checks =
  wanted.length && !wanted.includes("checks")
    ? []
    : [
        ["prettier --check .", bin("prettier"), ["--check", "."]],
        ...order
          .filter((name) => existsSync(join(suiteDir(name), "tsconfig.json")))
          .map((name) => {
            const dir = suiteDir(name).slice(root.length + 1);
            return [`tsc (strict) ${dir}`, bin("tsc"), ["-p", dir]];
          }),
      ];

let passed = 0;
let failed = 0;
let skipped = 0;
if (checks.length) process.stdout.write("=== repository checks ===\n");
for (const [label, command, args] of checks) {
  if (await runCheck(label, command, args)) passed++;
  else failed++;
}
for (const suite of suites) {
  const r = await runSuite(suite);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
}
process.stdout.write("\n");
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
