import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { CliError, EXIT_USAGE } from "../errors.ts";
import { vmCliModule } from "../paths.ts";

/**
 * `dbatch vm [options] [-- command...]`: a thin wrapper around the VM rig's
 * own command line (packages/kmod/vm/dbatch-vm.ts); every option is the rig's.
 */
export async function vmCommand(argv: string[]): Promise<number> {
  if (!existsSync(vmCliModule)) {
    throw new CliError(
      `dbatch vm: the VM rig's command line is not there (${vmCliModule})`,
      EXIT_USAGE,
    );
  }
  const mod: unknown = await import(pathToFileURL(vmCliModule).href);
  if (typeof mod === "object" && mod !== null && "vmMain" in mod) {
    const vmMain: unknown = (mod as { vmMain: unknown }).vmMain;
    if (typeof vmMain === "function") {
      const code: unknown = await (vmMain as (args: readonly string[]) => Promise<unknown>)(argv);
      return typeof code === "number" ? code : 1;
    }
  }
  throw new CliError(`dbatch vm: ${vmCliModule} does not export vmMain()`, EXIT_USAGE);
}
