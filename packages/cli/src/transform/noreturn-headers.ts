// The functions a file's own project declares never to return, from the
// headers next to it: `void write_fatal (void) __attribute__ ((noreturn));`
// lives in a header, and a checked call's failure branch calling it leaves
// the run (the transform finds the file's own declarations itself). A
// header named by an #include (quoted or angled) that exists in the file's
// directory is read, and the same for the headers it includes, a few levels
// deep; each header once per process.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { noreturnNames } from "@dbatch/transform";

const includeLine = /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"]/gm;
const maxDepth = 4;
const headers = new Map<string, { names: Set<string>; includes: string[] }>();

function header(path: string): { names: Set<string>; includes: string[] } {
  let known = headers.get(path);
  if (!known) {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch {
      // unreadable: it declares nothing we can use
    }
    known = { names: noreturnNames(text), includes: includedHere(text, dirname(path)) };
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

/** Names declared noreturn in the headers @text (the file at @file) includes from its directory. */
export function projectNoreturn(file: string, text: string): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  let level = includedHere(text, dirname(file));
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const path of level) {
      if (seen.has(path)) continue;
      seen.add(path);
      const h = header(path);
      for (const n of h.names) names.add(n);
      next.push(...h.includes);
    }
    level = next;
  }
  return [...names];
}
