// Types of the catalogue (syscalls.json, libc.json): the spine every
// package reads. The data is generated into each package that needs it.

/** What an argument is, so each package knows how to record, check or rewrite it. */
export type ArgumentKind =
  | "fd"
  | "inbuf"
  | "outbuf"
  | "iov"
  | "iovcnt"
  | "len"
  | "path"
  | "flags"
  | "mode"
  | "offset"
  | "whence"
  | "int"
  | "sockaddr"
  | "socklen"
  /** Two struct timespec (utimensat's times), or NULL: copied when recorded. */
  | "timespecs";

/** What the kernel returns on success. */
export type ResultKind = "count" | "fd" | "status" | "offset";

/** What the interposer hands back at once when it records the call. */
export type DeferredReturn = "length" | "iov-length" | "zero" | "placeholder-fd" | "offset";

export interface SyscallArgument {
  readonly name: string;
  readonly kind: ArgumentKind;
  /** For inbuf/outbuf/sockaddr: index of the argument holding the byte length. */
  readonly lengthArg?: number;
  /** For iov: index of the argument holding the element count. */
  readonly countArg?: number;
}

export interface SyscallSpec {
  readonly name: string;
  /** x86-64 syscall number. */
  readonly nr: number;
  /** The libc symbols a program reaches this call through. */
  readonly libc: readonly string[];
  readonly args: readonly SyscallArgument[];
  readonly result: ResultKind;
  readonly deferredReturn: DeferredReturn;
  readonly deferredReturnArg?: number;
  /** Set where the libc call maps to a kernel call with other arguments (send -> sendto). */
  readonly kernelArgs?: string;
}

/** How the preload library wraps the libc names of one catalogue call. */
export interface InterposeSpec {
  /** C return type of every libc name of the call. */
  readonly ret: string;
  /** C parameters of the plain names ("int fd, const void *buf, size_t n"). */
  readonly params: string;
  /** The argument words recorded, as C expressions of the parameters. */
  readonly record: string;
  /** C condition under which the call is flushed and run, never recorded. */
  readonly direct?: string;
  /** A cheaper recording tried first: when `when` holds, return `result`. */
  readonly fastPath?: { readonly when: string; readonly result: string };
  /** It may give an fd number another file: the fd-kind caches are dropped. */
  readonly changesFds?: boolean;
  /** A POSIX cancellation point: a pending cancellation acts before recording. */
  readonly cancellationPoint?: boolean;
  /** The parameters end in `...`: open's optional mode, read when flags need it. */
  readonly modeFromVarargs?: boolean;
  /** Names with other parameters (the _FORTIFY_SOURCE __*_chk bounds, __open_2). */
  readonly variants?: readonly InterposeVariant[];
  /** glibc aliases its headers do not declare. */
  readonly undeclared?: readonly string[];
}

export interface InterposeVariant {
  readonly names: readonly string[];
  readonly params: string;
  readonly direct?: string;
  readonly record?: string;
}

/** A catalogue call as syscalls.json holds it: the spec plus its interposers. */
export interface SyscallEntry extends SyscallSpec {
  readonly interpose: InterposeSpec;
}

/** What the transform calls a libc name that ends a run. */
export type LibcRole = "stdio" | "process-control" | "setjmp-longjmp" | "other";

/** Which fd numbers a libc function gives another file (LibcFunction.changesFds). */
export interface FdChange {
  readonly before?: string;
  readonly returns?: "fd" | "file" | "dir";
  readonly fills?: string;
}

/** A libc function outside the syscall catalogue that ends a run (libc.json). */
export interface LibcFunction {
  readonly name: string;
  readonly role: LibcRole;
  /** Generated flush-first wrapper: C return type and parameters. */
  readonly ret?: string;
  readonly params?: string;
  /** Variadic: the va_list function the wrapper calls instead. */
  readonly via?: string;
  /** Variadic: one optional word passed on (fcntl, ioctl). */
  readonly vararg?: "word";
  /** Never returns (the wrapper, and the transform's checked results). */
  readonly noreturn?: boolean;
  /**
   * It may give fd numbers another file: true when it does not say which
   * (every fd kind the library cached is dropped), or which: `before`, a C
   * expression of the parameters naming the number it closes; `returns`,
   * the number of the fd, FILE * or DIR * it returns; `fills`, the int[2]
   * parameter it fills (pipe). Only those numbers' kinds are dropped.
   */
  readonly changesFds?: boolean | FdChange;
  /** glibc exports it but its headers do not declare it. */
  readonly declare?: boolean;
  /** <stdio.h> may define it as a macro. */
  readonly macro?: boolean;
  /** Hand-written in this file of packages/preload/src. */
  readonly custom?: string;
  /** Why the preload library need not see it. */
  readonly notInterposed?: string;
}
