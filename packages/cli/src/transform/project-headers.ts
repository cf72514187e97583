// What a file's own headers say that the transform needs and cannot see in
// the file: the functions the project declares never to return (`void
// write_fatal (void) __attribute__ ((noreturn));`: a checked call's failure
// branch calling it leaves the run) and the macros it defines as nothing or
// as declaration specifiers (gzip's `#define local static`, `#define near`:
// blanked for the parse, or every function using them is a parse error).
// The transform finds the file's own itself. A header named by an #include
// (quoted or angled) that exists in the file's directory is read, and the
// same for the headers it includes, a few levels deep; each header once per
// process.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { noreturnNames, specifierMacroNames } from "@dbatch/transform";

const includeLine = /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"]/gm;
const maxDepth = 4;
interface HeaderFacts {
  noreturn: Set<string>;
  macros: string[];
  includes: string[];
}

const headers = new Map<string, HeaderFacts>();

function header(path: string): HeaderFacts {
  let known = headers.get(path);
  if (!known) {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch {
      // unreadable: it declares nothing we can use
    }
    known = {
      noreturn: noreturnNames(text),
      macros: specifierMacroNames(text),
      includes: includedHere(text, dirname(path)),
    };
    headers.set(path, known);
  }
  return known;
}

/** The headers @text includes that exist in @dir. */
function includedHere(text: string, dir: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(includeLine)) {
    const path = join(dir, m[1] ?? "");
    if (!m[1]?.includes("..") && existsSync(path)) out.push(path);
  }
  return out;
}

/** What the headers @text (the file at @file) includes from its directory declare. */
export function projectHeaders(
  file: string,
  text: string,
): { noreturn: string[]; macros: string[] } {
  const noreturn = new Set<string>();
  const macros = new Set<string>();
  const seen = new Set<string>();
  let level = includedHere(text, dirname(file));
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const path of level) {
      if (seen.has(path)) continue;
      seen.add(path);
      const h = header(path);
      for (const n of h.noreturn) noreturn.add(n);
      for (const m of h.macros) macros.add(m);
      next.push(...h.includes);
    }
    level = next;
  }
  return { noreturn: [...noreturn], macros: [...macros] };
}
