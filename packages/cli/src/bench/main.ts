// Standalone entry: `tsx packages/cli/src/bench/main.ts [options]` (same as `dbatch bench`).

import { runBenchCommand } from "./index.ts";

process.exitCode = await runBenchCommand(process.argv.slice(2));
