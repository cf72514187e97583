import { CliError, EXIT_OK, EXIT_USAGE } from "./errors.ts";
import { guardProcess } from "./process-guard.ts";
import { cliVersion } from "./version.ts";

const usage = `Usage: dbatch <command> [options]

  run [--backend B] [--vm] [--stats] [--keep] <file.c...> [-- args...]
                      transform, compile and run a program batched
  build [-o out] <file.c...>
                      transform and compile; prints how to run it
  cflags [--pc | --pc-dir | --library | --vendor DIR]
                      what a project's build needs for transformed sources
  bench [--plot out.svg] [--json] [...]
                      benchmarks (dbatch bench --help)
  doctor              which backends work here, why not, and the fixes
  kmod build|load|unload|status
                      the kernel module (batch.ko)
  vm [options] [-- command...]
                      run a command in the qemu VM (dbatch vm --help)
  install-hook [--rewrite] [--force]
                      a git pre-commit hook that runs dbatch-transform

  -h, --help          this help ('dbatch <command> --help' for one command)
  -v, --version       the version

Backends (--backend / DBATCH_BACKEND): auto, kmod, uring, emulate, off.
Transforming sources in place: dbatch-transform --help.
Exit codes: the program's for run; otherwise 0 done, 1 failed, 2 usage or input error.
`;

// Loaded on demand: only run and build need the transform (and tree-sitter).
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  run: async (argv) => (await import("./commands/run.ts")).runCommand(argv),
  build: async (argv) => (await import("./commands/build.ts")).buildCommand(argv),
  bench: async (argv) => (await import("./commands/bench.ts")).benchCommand(argv),
  cflags: async (argv) => (await import("./commands/cflags.ts")).cflagsCommand(argv),
  doctor: async (argv) => (await import("./commands/doctor.ts")).doctorCommand(argv),
  kmod: async (argv) => (await import("./commands/kmod.ts")).kmodCommand(argv),
  vm: async (argv) => (await import("./commands/vm.ts")).vmCommand(argv),
  "install-hook": async (argv) =>
    (await import("./commands/install-hook.ts")).installHookCommand(argv),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === "-v" || name === "--version") {
    process.stdout.write(`dbatch ${cliVersion()}\n`);
    return EXIT_OK;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`dbatch: unknown command '${name}'\ndbatch: try 'dbatch --help'\n`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof CliError) {
      // Every line dbatch itself writes starts with "dbatch" (docs/design.md).
      const lines = err.message
        .split("\n")
        .map((l) => (l.startsWith("dbatch") ? l : `dbatch: ${l}`));
      process.stderr.write(`${lines.join("\n")}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

guardProcess("dbatch");
process.exitCode = await main(process.argv.slice(2));
