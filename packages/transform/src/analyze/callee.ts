// What a called name is, in this file: a catalogue syscall, a known function,
// a macro, or something unknown. The file's own #defines and function
// definitions win over libc: `#define write my_write` makes write() not libc.
import { catalogueEntry } from "../catalogue.ts";
import type { ConditionalRange } from "../conditional-else.ts";
import type { SyscallSpec } from "@dbatch/catalogue";
import type { HelperSummary } from "./facts.ts";
import type { FileMacros, PureMacro } from "./macros.ts";
import {
  batchCheckedName,
  batchOpenUnseenName,
  batchFlushCheckedName,
  batchFlushName,
  batchStartName,
  looksLikeMacroName,
  noreturnFunctions as libcNoreturn,
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
  /** A function-like macro of the file whose body has no side effects (macros.ts). */
  | { readonly kind: "pure-macro"; readonly macro: PureMacro }
  | { readonly kind: "helper"; readonly summary: HelperSummary }
  | { readonly kind: "unknown-call" };

export class FileNames {
  /** The file's summarised static functions (summaries.ts): grows as definitions are read. */
  readonly helpers = new Map<string, HelperSummary>();

  /**
   * @param macros what the file's #defines say (macros.ts)
   * @param definedFunctions names of functions the file defines
   * @param sharedVariables names declared volatile or atomic
   * @param noreturnFunctions names declared never to return (noreturn.ts),
   *   in the file or by the caller (its headers)
   */
  constructor(
    private readonly macros: FileMacros,
    private readonly definedFunctions: ReadonlySet<string>,
    private readonly sharedVariables: ReadonlySet<string>,
    private readonly noreturnFunctions: ReadonlySet<string> = new Set(),
    private readonly crossed: readonly ConditionalRange[] = [],
    /** libc's never-returning names the file defines functions of its own for. */
    private readonly ownNoreturnNames: ReadonlySet<string> = new Set(),
  ) {}

  isMacroCaptured(name: string): boolean {
    return this.macros.captured.has(name) || this.macros.captured.has("*");
  }

  macroReads(name: string): readonly string[] | undefined {
    return this.macros.reads.get(name);
  }

  isImpureMacro(name: string): boolean {
    return this.macros.impure.has(name);
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
    if (this.macros.names.has(name)) return false;
    // libc's (exit, err, ...) unless the file defines its own of that name.
    if (libcNoreturn.has(name)) return !this.ownNoreturnNames.has(name);
    return this.noreturnFunctions.has(name);
  }

  resolve(name: string): CalleeKind {
    const spec = catalogueEntry(name);
    const local = this.macros.names.has(name) || this.definedFunctions.has(name);
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
    const pureMacro = this.macros.pure.get(name);
    if (pureMacro) return { kind: "pure-macro", macro: pureMacro };
    if (this.macros.names.has(name) || looksLikeMacroName(name)) return { kind: "macro-call" };
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
