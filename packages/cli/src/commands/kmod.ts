import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "../errors.ts";
import {
  devBatchState,
  hostKernel,
  moduleVermagic,
  noModuleSupportMessage,
} from "../program/kernel.ts";
import { batchKoPath as kmodObject, kmodDir } from "@dbatch/kmod";
import { say } from "./common.ts";

export const kmodUsage = `Usage: dbatch kmod build [make args...]   make -C packages/kmod (KDIR=... to pick headers)
       dbatch kmod load                  insmod packages/kmod/batch.ko (root; needs module support)
       dbatch kmod unload                rmmod batch
       dbatch kmod status                built? vermagic? loaded? /dev/batch?

On a kernel without loadable module support, load and unload say so and
point at 'dbatch vm'. status exits 0 when the module is loaded, 1 otherwise.
`;

function kdir(): string {
  const r = spawnSync("make", ["-s", "--no-print-directory", "-C", kmodDir, "kdir"], {
    encoding: "utf8",
  });
  return r.status === 0 ? r.stdout.trim() : "";
}

function build(extra: string[]): number {
  const dir = kdir();
  const running = hostKernel().release;
  const forOther = dir !== "" && !dir.includes(`/${running}/`);
  say(
    `building batch.ko against ${dir || "(no kernel headers found)"}` +
      (forOther ? ` (not the running kernel ${running}: a module for the VM)` : ""),
  );
  const r = spawnSync("make", ["-C", kmodDir, ...extra], { stdio: ["ignore", 2, 2] });
  if (r.error) throw new CliError(`dbatch kmod: cannot run make: ${r.error.message}`, EXIT_USAGE);
  if (r.status !== 0) {
    say(`make -C packages/kmod failed (exit ${r.status ?? r.signal})`);
    return EXIT_FAILED;
  }
  const vermagic = moduleVermagic(kmodObject);
  say(`built ${kmodObject}${vermagic ? ` (vermagic ${vermagic})` : ""}`);
  return EXIT_OK;
}

function load(): number {
  const k = hostKernel();
  if (!k.modules) {
    say(noModuleSupportMessage(k).replace(/\n/g, "\ndbatch: "));
    return EXIT_FAILED;
  }
  if (k.batchLoaded) {
    say(`batch is already loaded; /dev/batch: ${devBatchState()}`);
    return EXIT_OK;
  }
  if (!existsSync(kmodObject) && build([]) !== EXIT_OK) return EXIT_FAILED;
  const vermagic = moduleVermagic(kmodObject);
  if (vermagic && !vermagic.startsWith(`${k.release} `) && vermagic !== k.release) {
    say(
      `batch.ko was built for ${vermagic.split(" ")[0] ?? vermagic}, the running kernel is ${k.release}: rebuild with KDIR=/lib/modules/${k.release}/build`,
    );
    return EXIT_FAILED;
  }
  const r = spawnSync("insmod", [kmodObject], { stdio: ["ignore", 2, 2] });
  if (r.error) throw new CliError(`dbatch kmod: cannot run insmod: ${r.error.message}`, EXIT_USAGE);
  if (r.status !== 0) {
    say(`insmod ${kmodObject} failed (exit ${r.status ?? r.signal}); see dmesg`);
    return EXIT_FAILED;
  }
  say(`loaded batch.ko; /dev/batch: ${devBatchState()}`);
  return EXIT_OK;
}

function unload(): number {
  const k = hostKernel();
  if (!k.modules) {
    say(noModuleSupportMessage(k).replace(/\n/g, "\ndbatch: "));
    return EXIT_FAILED;
  }
  if (!k.batchLoaded) {
    say("batch is not loaded");
    return EXIT_OK;
  }
  const r = spawnSync("rmmod", ["batch"], { stdio: ["ignore", 2, 2] });
  if (r.error) throw new CliError(`dbatch kmod: cannot run rmmod: ${r.error.message}`, EXIT_USAGE);
  if (r.status !== 0) {
    say(`rmmod batch failed (exit ${r.status ?? r.signal}); is a program holding /dev/batch open?`);
    return EXIT_FAILED;
  }
  say("unloaded batch");
  return EXIT_OK;
}

function status(): number {
  const k = hostKernel();
  const vermagic = moduleVermagic(kmodObject);
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(`kernel:         ${k.release}`);
  out(
    `module support: ${k.modules ? "yes" : `no (${k.configModules === false ? "CONFIG_MODULES is not set" : "no /proc/modules"})`}`,
  );
  out(
    `batch.ko:       ${vermagic ? `${kmodObject} (vermagic ${vermagic})` : "not built (dbatch kmod build)"}`,
  );
  let refs = "";
  if (k.batchLoaded) {
    const m = /^batch\s+\d+\s+(\d+)/m.exec(readFileSync("/proc/modules", "utf8"));
    refs = m ? ` (used by ${m[1]})` : "";
  }
  out(
    `loaded:         ${k.modules ? (k.batchLoaded ? `yes${refs}` : "no") : "no (cannot be, on this kernel; use dbatch vm)"}`,
  );
  out(`/dev/batch:     ${k.devBatch}`);
  return k.batchLoaded ? EXIT_OK : EXIT_FAILED;
}

export async function kmodCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "build":
      return build(rest);
    case "load":
      return load();
    case "unload":
      return unload();
    case "status":
      return status();
    case "-h":
    case "--help":
      process.stdout.write(kmodUsage);
      return EXIT_OK;
    default:
      throw new CliError(
        `dbatch kmod: ${sub === undefined ? "missing subcommand" : `unknown subcommand '${sub}'`} (build, load, unload, status)\nTry 'dbatch kmod --help'.`,
      );
  }
}
