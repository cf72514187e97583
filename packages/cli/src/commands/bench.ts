// `dbatch bench ...`: a thin command over @dbatch/bench, loaded only when asked for.
import { join } from "node:path";
import { repoRoot } from "../paths.ts";

export async function benchCommand(argv: string[]): Promise<number> {
  const { runBenchCommand } = await import("@dbatch/bench");
  // Start-up is timed through the binaries a user runs (the node_modules/.bin
  // links), against prettier from the same node_modules.
  const bin = join(repoRoot, "node_modules", ".bin");
  return runBenchCommand(argv, {
    dbatch: join(bin, "dbatch"),
    transform: join(bin, "dbatch-transform"),
    prettier: join(bin, "prettier"),
    cFile: join(repoRoot, "fixtures", "seed", "example.c"),
    prettierFile: join(repoRoot, "packages", "bench", "src", "stats.ts"),
  });
}
