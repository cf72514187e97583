// Functions the analysis knows by name. Everything not listed here (and not in
// the syscall catalogue) is an unknown call and ends a run. The libc names
// that end a run by role (stdio, process control, jumps) come from the
// catalogue (catalogue/libc.json), shared with the preload library.
export {
  noreturnFunctions,
  processControlFunctions,
  setjmpFunctions,
  stdioFunctions,
} from "./known-functions.generated.ts";

/**
 * Calls that make no system call a deferred call could see (the allocator's
 * anonymous mmap/brk touch no file and no fd) and read no memory a deferred
 * read could still be filling except through their arguments, which are
 * checked like any other expression (`free(buf)` after a read into `buf`
 * ends the run).
 */
export const pureFunctions: ReadonlySet<string> = new Set([
  "malloc",
  "calloc",
  "realloc",
  "reallocarray",
  "free",
  "strdup",
  "strndup",
  "strlen",
  "strnlen",
  "memcpy",
  "memmove",
  "memset",
  "memcmp",
  "memchr",
  "bzero",
  "explicit_bzero",
  "strcmp",
  "strncmp",
  "strcasecmp",
  "strncasecmp",
  "strcpy",
  "strncpy",
  "stpcpy",
  "stpncpy",
  "strcat",
  "strncat",
  "strchr",
  "strrchr",
  "strstr",
  "strspn",
  "strcspn",
  "strpbrk",
  "strerror",
  "snprintf",
  "sprintf",
  "vsnprintf",
  "vsprintf",
  "sscanf",
  "abs",
  "labs",
  "llabs",
  "atoi",
  "atol",
  "atoll",
  "htons",
  "htonl",
  "ntohs",
  "ntohl",
  "isalpha",
  "isdigit",
  "isalnum",
  "isspace",
  "isupper",
  "islower",
  "isxdigit",
  "isprint",
  "ispunct",
  "toupper",
  "tolower",
  "va_start",
  "va_end",
  "va_arg",
  "va_copy",
  "__builtin_expect",
  "__builtin_memcpy",
  "__builtin_memset",
  "__builtin_memcmp",
  "__builtin_strlen",
  "__builtin_offsetof",
]);

/** The markers of a run that dBatch inserts (and users may write by hand). */
export const batchStartName = "batch_start";
export const batchFlushName = "batch_flush";
/** What a run with checked calls ends with (plan.ts): a flush too. */
export const batchFlushCheckedName = "batch_flush_checked";
/** Wraps a checked call in a transformed run (plan.ts). */
export const batchCheckedName = "batch_checked";
/** Wraps an open whose number a transformed run never reads (plan.ts). */
export const batchOpenUnseenName = "batch_open_unseen";

/** ALL_CAPS names called like functions are macros by C convention. */
export function looksLikeMacroName(name: string): boolean {
  return /^[A-Z_][A-Z0-9_]*$/.test(name) && /[A-Z]/.test(name);
}
