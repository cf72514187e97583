// Lookups into the generated syscall catalogue by the names C code calls.
import { syscallCatalogue } from "./catalogue.generated.ts";
import type { SyscallSpec } from "@dbatch/catalogue";

const byLibcName = new Map<string, SyscallSpec>();
for (const spec of syscallCatalogue) {
  for (const name of spec.libc) byLibcName.set(name, spec);
}

/** The catalogue entry a libc function name reaches, if any. */
export function catalogueEntry(name: string): SyscallSpec | undefined {
  return byLibcName.get(name);
}

/** Every libc name of every catalogue call (for the fast text pre-scan). */
export const catalogueLibcNames: readonly string[] = [...byLibcName.keys()];
