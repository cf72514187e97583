// Used when the CLI runs through tsx (no bundle, DBATCH_NO_BUNDLE=1): worker
// threads do not inherit the main thread's tsx loader, so register it here.
// The bundle has its own worker-entry.mjs (bin/bundle.mjs).
import { register } from "tsx/esm/api";
register();
await import("./worker.ts");
