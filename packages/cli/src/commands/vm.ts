import { batchModuleFor } from "@dbatch/kmod";
import { vmMain } from "@dbatch/vm";

/**
 * `dbatch vm [options] [-- command...]`: the VM rig's own command line
 * (@dbatch/vm's vmMain); every option is the rig's, and -m loads batch.ko
 * built for the booted kernel.
 */
export async function vmCommand(argv: string[]): Promise<number> {
  return vmMain(argv, { batchModule: batchModuleFor });
}
