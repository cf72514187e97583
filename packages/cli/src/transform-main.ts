import { guardProcess } from "./process-guard.ts";
import { transformCommand } from "./transform/command.ts";

guardProcess("dbatch-transform");
process.exitCode = await transformCommand(process.argv.slice(2));
