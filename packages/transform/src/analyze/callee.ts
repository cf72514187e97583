// What a called name is, in this file: a catalogue syscall, a known function,
// a macro, or something unknown. The file's own #defines and function
// definitions win over libc: `#define write my_write` makes write() not libc.
import { catalogueEntry } from "../catalogue.ts";
import type { ConditionalRange } from "../conditional-else.ts";
import type { SyscallSpec } from "@dbatch/catalogue";
import type { HelperSummary } from "./facts.ts";
import {
  batchCheckedName,
  batchOpenUnseenName,
  batchFlushCheckedName,
  batchFlushName,
  batchStartName,
  looksLikeMacroName,
  processControlFunctions,
  pureFunctions,
  setjmpFunctions,
  stdioFunctions,
} from "../known-functions.ts";

export type CalleeKind =
  | { readonly kind: "syscall"; readonly spec: SyscallSpec }
  | { readonly kind: "not-libc"; readonly spec: SyscallSpec }
  | { readonly kind: "batch" }
  | { readonly kind: "pure" }
  | { readonly kind: "stdio" }
  | { readonly kind: "process-control" }
  | { readonly kind: "setjmp-longjmp" }
  | { readonly kind: "macro-call" }
  | { readonly kind: "helper"; readonly summary: HelperSummary }
  | { readonly kind: "unknown-call" };

export class FileNames {
  /** The file's summarised static functions (summaries.ts): grows as definitions are read. */
  readonly helpers = new Map<string, HelperSummary>();

  /**
   * @param macroNames names #defined in the file (function-like or not)
   * @param definedFunctions names of functions the file defines
   * @param sharedVariables names declared volatile or atomic
   * @param noreturnFunctions names declared never to return (noreturn.ts),
   *   in the file or by the caller (its headers)
   * @param macroCaptured names the file's #defines read without taking them
   *   as parameters (macro-captures.ts)
   */
  constructor(
    private readonly macroNames: ReadonlySet<string>,
    private readonly definedFunctions: ReadonlySet<string>,
    private readonly sharedVariables: ReadonlySet<string>,
    private readonly noreturnFunctions: ReadonlySet<string> = new Set(),
    private readonly crossed: readonly ConditionalRange[] = [],
    private readonly macroCaptured: ReadonlySet<string> = new Set(),
  ) {}

  isMacroCaptured(name: string): boolean {
    return this.macroCaptured.has(name);
  }

  crossesConditional(start: number, end: number): boolean {
    return this.crossed.some(([from, to, opaque]) =>
      opaque
        ? start < to && end > from
        : (start < from && end > from && end < to) || (start > from && start < to && end > to),
    );
  }

  isShared(name: string): boolean {
    return this.sharedVariables.has(name);
  }

  isNoreturn(name: string): boolean {
    return this.noreturnFunctions.has(name) && !this.macroNames.has(name);
  }

  resolve(name: string): CalleeKind {
    const spec = catalogueEntry(name);
    const local = this.macroNames.has(name) || this.definedFunctions.has(name);
    if (spec) return local ? { kind: "not-libc", spec } : { kind: "syscall", spec };
    if (
      name === batchStartName ||
      name === batchFlushName ||
      name === batchFlushCheckedName ||
      name === batchCheckedName ||
      name === batchOpenUnseenName
    ) {
      return { kind: "batch" };
    }
    if (this.macroNames.has(name) || looksLikeMacroName(name)) return { kind: "macro-call" };
    const summary = this.helpers.get(name);
    if (summary) return { kind: "helper", summary };
    if (this.definedFunctions.has(name)) return { kind: "unknown-call" };
    if (pureFunctions.has(name)) return { kind: "pure" };
    if (stdioFunctions.has(name)) return { kind: "stdio" };
    if (processControlFunctions.has(name)) return { kind: "process-control" };
    if (setjmpFunctions.has(name)) return { kind: "setjmp-longjmp" };
    return { kind: "unknown-call" };
  }
}

/** Names the file #defines (`#define NAME` and `#define NAME(...)`). */
export function definedMacroNames(text: string): Set<string> {
  const names = new Set<string>();
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1] ?? "");
  return names;
}
