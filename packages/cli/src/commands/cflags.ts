// `dbatch cflags`: what a project's own build needs to compile sources that
// dbatch-transform rewrote (they include <dbatch.h>): compiler flags, a
// pkg-config file, the library to preload, or a copy of the header to keep
// in the project so that it builds where dBatch is not installed.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { preloadDir, preloadIncludeDir, preloadLibraryPath } from "@dbatch/preload";
import { CliError, EXIT_OK, EXIT_USAGE, errorMessage, flagErrorMessage } from "../errors.ts";
import { cliVersion } from "../version.ts";

export const cflagsUsage = `Usage: dbatch cflags [--pc | --pc-dir | --library | --vendor DIR]

  (no option)    the compiler flags: -I <dir of dbatch.h>
  --pc           print dbatch.pc, the pkg-config file
  --pc-dir       write dbatch.pc and print its directory:
                   PKG_CONFIG_PATH=$(dbatch cflags --pc-dir) pkg-config --cflags dbatch
  --library      the library to preload to run batched (LD_PRELOAD=...)
  --vendor DIR   copy dbatch.h into DIR: a project that keeps it builds with
                 -I DIR on machines without dBatch (the calls then run directly)
  -h, --help     this help

<dbatch.h> needs no library at link time: it reaches the preload library
through weak references, so without LD_PRELOAD the program runs unbatched.
`;

/** The pkg-config file: headers only, nothing to link. */
export function dbatchPc(): string {
  return [
    `prefix=${preloadDir}`,
    "includedir=${prefix}/include",
    "",
    "Name: dbatch",
    "Description: dBatch: batch_start()/batch_flush() for sources rewritten by dbatch-transform",
    `Version: ${cliVersion()}`,
    "Cflags: -I${includedir}",
    "Libs:",
    "",
  ].join("\n");
}

export async function cflagsCommand(argv: string[]): Promise<number> {
  let values: {
    pc?: boolean;
    "pc-dir"?: boolean;
    library?: boolean;
    vendor?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pc: { type: "boolean" },
        "pc-dir": { type: "boolean" },
        library: { type: "boolean" },
        vendor: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`dbatch cflags: ${flagErrorMessage(err)}\n${cflagsUsage}`, EXIT_USAGE);
  }
  if (values.help) {
    process.stdout.write(cflagsUsage);
    return EXIT_OK;
  }
  const chosen = [values.pc, values["pc-dir"], values.library, values.vendor !== undefined];
  if (chosen.filter(Boolean).length > 1) {
    throw new CliError(
      `dbatch cflags: give one of --pc, --pc-dir, --library, --vendor`,
      EXIT_USAGE,
    );
  }
  if (values.pc) {
    process.stdout.write(dbatchPc());
  } else if (values["pc-dir"]) {
    const dir = join(preloadDir, "build", "pkgconfig");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "dbatch.pc"), dbatchPc());
    process.stdout.write(`${dir}\n`);
  } else if (values.library) {
    process.stdout.write(`${preloadLibraryPath}\n`);
  } else if (values.vendor !== undefined) {
    const dir = resolve(values.vendor);
    try {
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(preloadIncludeDir, "dbatch.h"), join(dir, "dbatch.h"));
    } catch (err) {
      throw new CliError(
        `dbatch cflags: --vendor ${values.vendor}: ${errorMessage(err)}`,
        EXIT_USAGE,
      );
    }
    process.stdout.write(`${join(dir, "dbatch.h")}\n`);
  } else {
    process.stdout.write(`-I${preloadIncludeDir}\n`);
  }
  return EXIT_OK;
}
