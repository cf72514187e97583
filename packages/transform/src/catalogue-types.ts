// Types of the batchable-syscall catalogue (catalogue/syscalls.json).
// The data itself is generated into catalogue.generated.ts.

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
  | "socklen";

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
