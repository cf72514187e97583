/**
 * Human text for the transform's stable rule ids (the `reason` of a site
 * not batched). Unknown ids still read well: dashes become spaces.
 */
const REASON_HELP: Record<string, string> = {
  "result-used":
    "The program looks at the call's result (assigns it, tests it, passes it on), so the call must run before the next statement and cannot be deferred.",
  "unknown-call":
    "A call to a function dBatch does not know ends the run: it might observe or disturb the deferred calls.",
  preprocessor:
    "A preprocessor directive inside the stretch ends the run; the rewrite never crosses one.",
  label: "A label (a goto target) ends the run: control may enter in the middle.",
  "single-call":
    "The run holds fewer call sites than --min-run (default 2) and is not in a loop: batching it would not save a transition.",
  "parse-error":
    "The code around the call did not parse (an ERROR node, often a macro); dBatch leaves it alone.",
  "control-flow": "return, break, continue or goto leaves the stretch, so the run ends before it.",
  "inline-asm": "Inline assembly may make system calls itself; the run ends before it.",
  setjmp: "setjmp/longjmp can jump across the window; the run ends before it.",
  "process-control":
    "fork, exec and exit-family calls end the run (pending calls are flushed before them).",
  "buffer-used":
    "A read whose buffer is used afterwards needs its data now, so it cannot be deferred.",
  "not-in-catalogue": "The call is not in dBatch's catalogue of batchable system calls.",
  stdio:
    "stdio calls buffer in user space and may call write themselves; the run ends before them.",
  "macro-call": "A macro call may expand to anything; the run ends before it.",
};

export function reasonText(reason: string): string {
  return reason.replace(/-/g, " ");
}

export function reasonHelp(reason: string): string {
  return REASON_HELP[reason] ?? `The run ends here: ${reasonText(reason)}.`;
}

export function knownReasons(): string[] {
  return Object.keys(REASON_HELP);
}

/** `write, write, write, close` -> `write x3, close` */
export function summariseCalls(calls: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < calls.length) {
    const name = calls[i];
    let j = i;
    while (j < calls.length && calls[j] === name) j++;
    const count = j - i;
    parts.push(count > 1 ? `${name} x${count}` : `${name}`);
    i = j;
  }
  return parts.join(", ");
}
