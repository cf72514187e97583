// The stable rule ids a call site's verdict or a diagnostic can carry. They are
// part of the public report (JSON, SARIF): never rename one, only add.

export const reasonDescriptions = {
  "result-used":
    "The call's result is used (assigned, compared, passed on), or an open's fd variable is used other than as the fd argument of later deferred calls in the same run.",
  "unknown-call":
    "A call to a function that is not a catalogue syscall, not on the known-pure list and not a summarised static helper of the file (defined before the call, its whole body fit for a run) whose result is thrown away: it could observe or disturb the deferred calls.",
  "macro-call":
    "A call to a function-like macro (defined in the file, or spelled in ALL_CAPS): its expansion is unknown.",
  stdio:
    "A stdio call (printf, fwrite, perror, ...): it performs I/O of its own that must stay in order.",
  jump: "return, goto, or a break/continue that leaves the run: the run would stay open (batch_start() without its batch_flush()).",
  label:
    "A label (goto target or case label) inside the run: control can enter the run in the middle.",
  preprocessor: "A preprocessor directive (#ifdef, #define, ...) between the statements.",
  "parse-error":
    "The enclosing function does not parse cleanly (tree-sitter ERROR or MISSING node): it is left untouched.",
  "inline-asm": "Inline assembly: it may make system calls or touch anything.",
  "setjmp-longjmp": "setjmp/longjmp and friends: non-local control flow.",
  "process-control":
    "fork/exec/exit-family, system, abort: the run ends (and is flushed) before the process changes.",
  "read-buffer-used":
    "The buffer a deferred read()/pread() fills is used afterwards in the same run: the data would not be there yet.",
  "shared-variable":
    "A volatile or atomic variable is read or written: another thread or a signal handler could see it before the deferred calls ran.",
  "errno-used": "errno is read or written: deferred calls do not set errno until the flush.",
  "single-call":
    "The run holds fewer calls than --min-run (default 2) and none inside a loop: batching would not save a transition.",
  "no-block":
    "The run is the body of an if/loop without braces; dBatch does not add braces, so it cannot insert batch_start()/batch_flush() there.",
  "manual-batch":
    "The code manages its runs by hand (batch_start()/batch_flush() it does not pair, or the original dBatch's <linux/batch.h>): left untouched.",
  "not-libc": "The file defines its own function or macro with this name: it is not the libc call.",
  "after-check":
    "A statement other than a call follows a checked call (`if (write(...) != n) goto fail;`) in the run: had the check failed, the original would not have run it (or, after a branch that goes on, would have run it after the branch), and a batch cannot take it back.",
  "failure-branch":
    "In the failure branch of a checked call that is batched: the branch runs after the flush, only when that check failed, as the plain code it is.",
  "unsupported-syntax":
    "A construct the analysis does not model (statement expression, nested function, SEH, ...): not batched to stay safe.",
} as const;

export type ReasonId = keyof typeof reasonDescriptions;

export const reasonIds = Object.keys(reasonDescriptions) as ReasonId[];
