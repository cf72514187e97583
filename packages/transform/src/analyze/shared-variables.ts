// Variables another thread, a signal handler or the kernel (through a shared
// mapping) may change or watch: those declared
// volatile, _Atomic, sig_atomic_t or atomic_*, or with a typedef of one of
// these (typedef volatile int flag_t; flag_t ready;), and struct members so
// declared (read through s.member or p->member). A store to one inside a run
// could be seen before the deferred calls ahead of it have run, and a loop
// waiting on one could wait for a write the batch has not made yet.
//
// A text scan, not a symbol table: after each qualifier, up to the next `;`,
// `{` or `}`, every identifier directly followed by `=`, `;`, `,`, `[` or `)`
// counts as declared shared. It over-approximates (a name reused elsewhere
// also counts), which only costs batching, never safety.

const builtinQualifiers = ["volatile", "_Atomic", "sig_atomic_t", "atomic_[a-z_]+"];
const declaredName = /\b([A-Za-z_]\w*)\s*(?=[=;,[)])/g;
const typedefName = /\btypedef\b([^;{}]*|[^;]*\{[^}]*\}[^;]*);/g;

function qualifierPattern(typeNames: ReadonlySet<string>): RegExp {
  const words = [...builtinQualifiers, ...[...typeNames].map((n) => n.replace(/\$/g, "\\$"))];
  return new RegExp(`\\b(?:${words.join("|")})\\b`, "g");
}

/** Names declared after a qualifier (or a shared type name) anywhere in the text. */
function declaredAfter(text: string, qualifier: RegExp): Set<string> {
  const names = new Set<string>();
  for (let m = qualifier.exec(text); m; m = qualifier.exec(text)) {
    const from = m.index + m[0].length;
    let to = from;
    while (to < text.length && to - from < 400 && !";{}".includes(text[to] ?? ";")) to++;
    const chunk = text.slice(from, to + 1);
    declaredName.lastIndex = 0;
    for (let d = declaredName.exec(chunk); d; d = declaredName.exec(chunk)) {
      names.add(d[1] ?? "");
    }
  }
  return names;
}

/** typedef names whose type is shared (a qualifier, or an earlier such typedef). */
function sharedTypeNames(text: string): Set<string> {
  const types = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    const qualifier = qualifierPattern(types);
    typedefName.lastIndex = 0;
    for (let m = typedefName.exec(text); m; m = typedefName.exec(text)) {
      const body = m[1] ?? "";
      const name = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(body)?.[1];
      qualifier.lastIndex = 0;
      // A struct whose members are shared is not itself shared: its members are.
      const outside = body.replace(/\{[^}]*\}/g, "{}");
      if (name && !types.has(name) && qualifier.test(outside)) {
        types.add(name);
        grew = true;
      }
    }
  }
  return types;
}

// A pointer into a mapping (p = mmap(...)): reading through it reads what
// the file holds now, which a deferred write before it has not changed yet.
const mappedName = /\b([A-Za-z_]\w*)\s*=\s*(?:\([^()]*\)\s*)?mmap(?:64)?\s*\(/g;

export function sharedVariableNames(text: string): Set<string> {
  const types = sharedTypeNames(text);
  const names = declaredAfter(text, qualifierPattern(types));
  for (const t of types) names.delete(t);
  mappedName.lastIndex = 0;
  for (let m = mappedName.exec(text); m; m = mappedName.exec(text)) names.add(m[1] ?? "");
  return names;
}
