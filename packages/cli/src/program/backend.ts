import { CliError } from "../errors.ts";

export const BACKENDS = ["auto", "kmod", "uring", "emulate", "off"] as const;
export type Backend = (typeof BACKENDS)[number];

export function isBackend(value: string): value is Backend {
  return (BACKENDS as readonly string[]).includes(value);
}

/** --backend, else $DBATCH_BACKEND, else auto. */
export function chooseBackend(flag: string | undefined): Backend {
  const value = flag ?? process.env.DBATCH_BACKEND ?? "auto";
  if (!isBackend(value)) {
    const from = flag === undefined ? "DBATCH_BACKEND" : "--backend";
    throw new CliError(`dbatch: ${from} wants one of ${BACKENDS.join(", ")}, got '${value}'`);
  }
  return value;
}

/** LD_PRELOAD with our library first, keeping whatever was there. */
export function preloadEnv(lib: string, existing: string | undefined): string {
  return existing && existing.trim() ? `${lib}:${existing}` : lib;
}
