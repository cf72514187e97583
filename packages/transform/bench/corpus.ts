// The benchmark's C corpus: a large real C file a registry package ships
// (tree-sitter-c's generated parser.c, ~3.8 MB, almost no syscalls), the
// golden fixtures replicated, and generated functions dense with syscall
// runs and hazards (the analysis' worst case: every function is analysed).
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixturesDir = join(packageDir, "..", "..", "fixtures", "transform");

export function realCFile(): { name: string; text: string } {
  const require = createRequire(import.meta.url);
  const path = join(dirname(require.resolve("tree-sitter-c/package.json")), "src", "parser.c");
  return { name: "tree-sitter-c/src/parser.c", text: readFileSync(path, "utf8") };
}

/** The golden cases' input files. */
export function fixtureInputs(): string[] {
  return (
    readdirSync(fixturesDir)
      .map((name) => join(fixturesDir, name, "input.c"))
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path, "utf8"))
      // A file using the original dBatch's header is left alone as a whole.
      .filter((text) => !text.includes("<linux/batch.h>"))
  );
}

/** Deterministic functions mixing runs, loops, opens, reads and hazards. */
export function generatedFunctions(count: number, seed = 1): string {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const parts: string[] = [
    "#include <fcntl.h>\n#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n",
  ];
  for (let f = 0; f < count; f++) {
    const lines: string[] = [
      `static int generated_${seed}_${f}(int out, char *buf, int n)`,
      "{",
      "\tint i;",
      "",
    ];
    const statements = 6 + next(10);
    for (let s = 0; s < statements; s++) {
      switch (next(12)) {
        case 0:
          lines.push(`\tint fd${s} = open("gen-${f}-${s}.txt", O_WRONLY | O_CREAT, 0644);`);
          lines.push(`\twrite(fd${s}, buf, (size_t)n);`);
          lines.push(`\tclose(fd${s});`);
          break;
        case 1:
          lines.push("\tfor (i = 0; i < n; i++) {", "\t\twrite(out, &buf[i], 1);", "\t}");
          break;
        case 2:
          lines.push(`\tprintf("step ${s}\\n");`);
          break;
        case 3:
          lines.push("\tif (n > 3)", "\t\treturn n;");
          break;
        case 4:
          lines.push(`\tread(out, buf, (size_t)n);`, `\tn += buf[0];`);
          break;
        case 5:
          lines.push(`\tn += (int)strlen(buf) * ${s};`);
          break;
        case 6:
          lines.push(`\tif (write(out, buf, 1) < 0)`, `\t\tperror("write");`);
          break;
        default:
          lines.push(`\twrite(out, "line ${s}\\n", ${`line ${s}\n`.length});`);
      }
    }
    lines.push("\treturn 0;", "}", "");
    parts.push(lines.join("\n"));
  }
  return parts.join("\n");
}
