import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliDir } from "./paths.ts";

export function cliVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8"));
  if (typeof pkg === "object" && pkg !== null && "version" in pkg) {
    const version = (pkg as { version: unknown }).version;
    if (typeof version === "string") return version;
  }
  return "0.0.0";
}
