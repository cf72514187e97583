// The rig's public types: what a run is given and what it gives back.

/** Builds (or finds) a module for a kernel version; returns the .ko path. */
export type ModuleBuilder = (kernelVersion: string) => string;

export interface VmCommand {
  /** Shell text, run by busybox sh in the guest. */
  run: string;
  /** Default "root". "user" runs as uid 1000 / gid 1000, no supplementary groups. */
  user?: "root" | "user";
  /** Kill the command's process group after this many (guest) seconds; 0/undefined = no limit. */
  timeoutSeconds?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory; default /tmp. */
  cwd?: string;
  /**
   * The command's stdin; default /dev/null. Bytes are put in the initramfs;
   * a stream (one command per run at most) is fed as it arrives through a
   * virtio-serial port, and its end is the command's end of file.
   */
  stdin?: string | Buffer | NodeJS.ReadableStream;
  /**
   * "merge" (default): stderr goes to `output` with stdout, in the order written.
   * "separate": stderr goes to `stderr` (its own serial port; order relative to stdout is lost).
   */
  stderr?: "merge" | "separate";
}

export interface VmFile {
  /** A host file or directory (copied recursively). */
  hostPath: string;
  /** Absolute guest path (for a directory: the directory it becomes). */
  guestPath: string;
  /** Default: the host file's permission bits. */
  mode?: number;
}

export interface VmModule {
  /** Host path of a .ko built for the VM's kernel; placed at /lib/modules/<basename>. */
  path: string;
  /** Module parameters, e.g. "warn=1". */
  params?: string;
}

export interface VmOptions {
  commands: VmCommand[];
  files?: VmFile[];
  /**
   * insmod batch.ko before the commands: the builder gives its path for the
   * booted kernel's version (@dbatch/kmod's batchModuleFor).
   */
  loadModule?: ModuleBuilder;
  /** Parameters for batch.ko. */
  moduleParams?: string;
  /** Further modules to insmod, in order, after batch.ko. */
  modules?: VmModule[];
  /** Put the preload library at PRELOAD_GUEST_PATH; default: when packages/preload/build/libdbatch-preload.so exists. */
  preload?: boolean;
  /** -icount shift=0,sleep=off: guest clock_gettime deltas are exact instruction counts. */
  icount?: boolean;
  /** Default 512. */
  memoryMb?: number;
  /** Default 1 (TCG). */
  cpus?: number;
  /** Whole VM, from qemu start to power-off; default 300. */
  timeoutSeconds?: number;
  /** Kernel: an image path, a version, or a line ("6.12", "6.12-rt"); see resolveKernel. */
  kernel?: string;
  /** Appended to the kernel command line. */
  kernelArgs?: string;
  /** Streams command output as it arrives (index into commands). */
  onOutput?: (index: number, chunk: string) => void;
  /** Streams the stderr of commands with stderr: "separate". */
  onStderr?: (index: number, chunk: string) => void;
  /**
   * Guest files to bring back after the commands (base64 over the serial
   * line, ~50 KB/s): VmResult.files[path] is the content, or null if missing.
   */
  collect?: string[];
  /** Aborting kills qemu; the result then has the error "dbatch-vm: aborted". */
  signal?: AbortSignal;
  /** Streams the kernel console (ttyS0) as it arrives. */
  onConsole?: (chunk: string) => void;
  /**
   * A host directory mounted read-write at guestPath (9p over virtio, no
   * caching): what the commands write there lands on the host at once.
   */
  share?: { hostPath: string; guestPath: string };
}

export interface VmCommandResult {
  run: string;
  user: "root" | "user";
  /** The exit status (128+N when killed by signal N); -1 when the command never ran or never finished. */
  exitCode: number;
  /** stdout, and stderr interleaved as written unless the command asked for stderr: "separate". */
  output: string;
  /** stderr of a command with stderr: "separate"; "" otherwise. */
  stderr: string;
  timedOut: boolean;
  /** Guest seconds the command took (wall time in the guest; virtual time under icount). */
  seconds: number;
  /** The kernel problems (also in VmResult.problems) logged while this command ran. */
  problems: string[];
}

export interface VmResult {
  results: VmCommandResult[];
  /** The whole kernel console (ttyS0), boot included. */
  console: string;
  /** Kernel problem lines found on the console (see findKernelProblems). */
  problems: string[];
  /** Infrastructure failures: qemu errors, VM timeout, insmod failure, commands that did not run. */
  errors: string[];
  /** No errors, no problems, every command exited 0. */
  ok: boolean;
  /** Host seconds from starting qemu to the guest's /init being ready (before insmod). */
  bootSeconds: number;
  /** Host seconds for the whole run (including building the initramfs). */
  totalSeconds: number;
  kernel: string;
  kernelVersion: string;
  /** Module file names that were loaded successfully. */
  modulesLoaded: string[];
  /** The options.collect files: content, or null when the file was missing or not regular. */
  files: Record<string, Buffer | null>;
}
