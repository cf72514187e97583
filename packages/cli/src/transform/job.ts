import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { transformSourceAsync } from "@dbatch/transform";
import type { TransformResult } from "@dbatch/transform";
import { errnoCode, errorMessage } from "../errors.ts";
import { projectHeaders } from "./project-headers.ts";

export interface JobInput {
  file: string;
  cwd: string;
  minRun: number;
  /** The project's attribute-like macros (--macro). */
  macros: string[];
  /** Functions that never return, named on the command line (--noreturn). */
  noreturn: string[];
  /**
   * What the caller needs besides the summary: the text as read and the
   * edits (to write the file piece by piece, or for a report), the
   * transformed text (diffed, printed) and the per-site reports. Left out
   * when not asked for, so that a large tree is checked with little held per
   * file.
   */
  keep: { original: boolean; output: boolean; reports: boolean };
}

export type RunInfo = TransformResult["runs"][number];
export type SiteInfo = TransformResult["sites"][number];
export type DiagnosticInfo = TransformResult["diagnostics"][number];
export type EditInfo = TransformResult["edits"][number];

/** One file's outcome; plain data so that it crosses a worker boundary. */
export interface FileResult {
  file: string;
  /** The text as read ("" unless kept). */
  original: string;
  /** The transformed text ("" unless kept). */
  output: string;
  changed: boolean;
  counts: TransformResult["counts"];
  runs: RunInfo[];
  sites: SiteInfo[];
  diagnostics: DiagnosticInfo[];
  /** The edits, against `original` (UTF-16 offsets; none unless the original was kept). */
  edits: EditInfo[];
  /** A message naming the file when it could not be read or parsed. */
  error: string | null;
  /** Why the file was left out while the others are processed (a warning). */
  skipped: string | null;
}

/** A file with nothing transformed: it failed (@error) or was left out (@skipped). */
export function untransformed(
  file: string,
  why: { error: string; skipped: null } | { error: null; skipped: string },
): FileResult {
  return {
    file,
    original: "",
    output: "",
    changed: false,
    counts: { runs: 0, batched: 0, notBatched: 0 },
    runs: [],
    sites: [],
    diagnostics: [],
    edits: [],
    ...why,
  };
}

// Fatal: invalid UTF-8 throws instead of becoming U+FFFD (and no second copy
// of a large file is made to compare).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function failed(file: string, error: string): FileResult {
  return untransformed(file, { error, skipped: null });
}

/** The file's text, or the FileResult saying why there is none. */
function readText(file: string, cwd: string): string | FileResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT") return failed(file, `${file}: error: no such file`);
    if (code === "EACCES") return failed(file, `${file}: error: permission denied`);
    if (code === "EISDIR") return failed(file, `${file}: error: is a directory`);
    return failed(file, `${file}: error: cannot read: ${errorMessage(err)}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    // One Latin-1 file must not stop the others: it is skipped, and said so.
    return untransformed(file, {
      error: null,
      skipped: `${file}: warning: not valid UTF-8 text: skipped, left untouched [encoding]`,
    });
  }
}

export async function transformFile(input: JobInput): Promise<FileResult> {
  const { file, cwd, minRun, macros, keep } = input;
  // Read in a function of its own: the bytes are garbage before the
  // transform starts (a large file's buffer is as big as its text).
  const text = readText(file, cwd);
  if (typeof text !== "string") return text;
  const headers = projectHeaders(resolve(cwd, file), text);
  let result: TransformResult;
  try {
    result = await transformSourceAsync(text, {
      minRun,
      macros: [...macros, ...headers.macros],
      noreturn: [...input.noreturn, ...headers.noreturn],
      output: keep.output,
      reports: keep.reports,
    });
  } catch (err) {
    return failed(file, `${file}:1:1: error: the transform failed: ${errorMessage(err)}`);
  }
  // An error diagnostic is fatal: the file is named with the line, nothing is
  // written, exit 2. A function tree-sitter cannot parse (often a macro) is
  // only a warning: the transform leaves that function alone (reason
  // parse-error) and batches the rest of the file.
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const error =
    errors.length > 0
      ? errors
          .map((d) => `${file}:${d.line}:${d.column}: error: ${d.message} [${d.rule}]`)
          .join("\n")
      : null;
  return {
    file,
    original: keep.original ? text : "",
    output: result.output,
    changed: result.changed,
    counts: result.counts,
    // Plain data already (it crosses a worker boundary by structured clone).
    runs: result.runs,
    sites: result.sites,
    diagnostics: result.diagnostics,
    edits: keep.original ? result.edits : [],
    error,
    skipped: null,
  };
}
