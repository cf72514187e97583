// Variables another thread or a signal handler may watch: those declared
// volatile, _Atomic, sig_atomic_t or atomic_*. A store to one inside a run
// could be seen before the deferred calls ahead of it have run.
//
// A text scan, not a symbol table: after each qualifier, up to the next `;`,
// `{` or `}`, every identifier directly followed by `=`, `;`, `,`, `[` or `)`
// counts as declared shared. It over-approximates (a name reused elsewhere
// also counts), which only costs batching, never safety.

const qualifier = /\b(?:volatile|_Atomic|sig_atomic_t|atomic_[a-z_]+)\b/g;
const declaredName = /\b([A-Za-z_]\w*)\s*(?=[=;,[)])/g;

export function sharedVariableNames(text: string): Set<string> {
  const names = new Set<string>();
  qualifier.lastIndex = 0;
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
