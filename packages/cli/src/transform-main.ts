import { transformCommand } from "./transform/command.ts";

process.exitCode = await transformCommand(process.argv.slice(2));
