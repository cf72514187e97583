// Kernel problems on the VM's console (Oops, BUG, WARNING, Call Trace, ...),
// and which command was running when each was logged.

const problemPatterns: RegExp[] = [
  /\bOops\b/,
  /\bBUG:/,
  /kernel BUG at/,
  /\bWARNING:/,
  /general protection/,
  /Call Trace:/,
  /Kernel panic/,
  /\bUBSAN:/,
  /\bKASAN:/,
  /INFO: task .* blocked for more than/,
  /rcu: .*detected stalls/,
  /Unable to handle kernel/,
  /stack-protector:/,
];
const benignPatterns: RegExp[] = [
  /module verification failed/,
  /loading out-of-tree module taints kernel/,
  // A user-space program's fault (shown with loglevel >= 7), not a kernel problem.
  /\btraps: \S+\[\d+\] general protection/,
];

/** Lines of a kernel console that show a kernel problem; taint notices for unsigned/out-of-tree modules are not. */
export function findKernelProblems(console: string): string[] {
  return problemsByCommand(console).all;
}

/**
 * Kernel problems, and which command was running when each was logged (by
 * the "dbatch-vm: command <i> begins/ended" lines /init writes to /dev/kmsg).
 */
export function problemsByCommand(console: string): {
  all: string[];
  byCommand: Map<number, string[]>;
} {
  const all: string[] = [];
  const byCommand = new Map<number, string[]>();
  let current: number | null = null;
  for (const raw of console.split(/\r?\n/)) {
    const line = raw.replace(/\r/g, "").trimEnd();
    const mark = line.match(/dbatch-vm: command (\d+) (begins|ended)$/);
    if (mark) {
      current = mark[2] === "begins" ? Number(mark[1]) : null;
      continue;
    }
    if (benignPatterns.some((re) => re.test(line))) continue;
    if (!problemPatterns.some((re) => re.test(line))) continue;
    all.push(line.trim());
    if (current !== null) byCommand.set(current, [...(byCommand.get(current) ?? []), line.trim()]);
  }
  return { all, byCommand };
}
