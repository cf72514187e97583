// Standalone entry: `tsx packages/bench/src/main.ts [options]` (same as `dbatch bench`).

import { runBenchCommand } from "./index.ts";

process.exitCode = await runBenchCommand(process.argv.slice(2));
