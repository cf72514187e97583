import { createTwoFilesPatch } from "diff";

/** A unified diff (git-style a/ b/ headers, 3 lines of context). */
export function unifiedDiff(file: string, before: string, after: string): string {
  const name = file.replace(/^\.\//, "");
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: 3,
  });
  // The library starts with an "Index:"/"====" preamble; keep only the diff proper.
  const start = patch.indexOf("--- ");
  return start > 0 ? patch.slice(start) : patch;
}
