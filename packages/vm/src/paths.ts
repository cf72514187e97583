import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/vm */
export const vmDir = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Built images, modules and programs; $DBATCH_VM_CACHE or packages/vm/.cache. */
export const cacheDir = process.env.DBATCH_VM_CACHE ?? join(vmDir, ".cache");
/** The guest side: /init and the runas helper. */
export const guestDir = join(vmDir, "guest");
/** A module that loads, and with warn=1 logs a WARNING: the rig's own tests. */
export const TEST_MODULE_DIR = join(vmDir, "testdata", "hello");

/** Where the preload library is placed in the guest (when it is built on the host). */
export const PRELOAD_GUEST_PATH = "/opt/dbatch/libdbatch-preload.so";
/** Where modules are placed in the guest: /lib/modules/<file name>, e.g. /lib/modules/batch.ko. */
export const MODULE_GUEST_DIR = "/lib/modules";
