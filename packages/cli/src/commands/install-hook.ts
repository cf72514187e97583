import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError, EXIT_FAILED, EXIT_OK } from "../errors.ts";
import { HOOK_MARKER, hookScript } from "../hook-script.ts";
import { repoRoot, transformBin } from "../paths.ts";
import { parseCommandArgs, say } from "./common.ts";

export const installHookUsage = `Usage: dbatch install-hook [--rewrite] [--force]

Writes .git/hooks/pre-commit (or core.hooksPath's) in the repository of the
current directory. The hook runs dbatch-transform on the staged .c and .h files:
  default    --check on the staged contents: the commit fails, listing the
             files, when one would change
  --rewrite  rewrites the staged files in place and stages the result
             (refuses files that also have unstaged changes)
  --force    replace a pre-commit hook that dbatch did not write (the old
             one is kept as pre-commit.orig)
For the pre-commit framework, use the hooks in .pre-commit-hooks.yaml instead.
`;

/** The dbatch-transform the hook calls: the root's linked bin, else the checkout's script. */
function transformPath(): string {
  const linked = join(repoRoot, "node_modules", ".bin", "dbatch-transform");
  return existsSync(linked) ? linked : transformBin;
}

export async function installHookCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("install-hook", argv, {
    rewrite: { type: "boolean" },
    force: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(installHookUsage);
    return EXIT_OK;
  }
  const git = spawnSync("git", ["rev-parse", "--git-path", "hooks"], { encoding: "utf8" });
  if (git.error) throw new CliError(`dbatch install-hook: cannot run git: ${git.error.message}`);
  if (git.status !== 0) {
    throw new CliError(`dbatch install-hook: not inside a git repository (${process.cwd()})`);
  }
  const hooksDir = resolve(process.cwd(), git.stdout.trim());
  const hook = join(hooksDir, "pre-commit");
  const mode = values.rewrite ? "rewrite" : "check";
  if (existsSync(hook)) {
    const current = readFileSync(hook, "utf8");
    if (!current.includes(HOOK_MARKER)) {
      if (!values.force) {
        say(`${hook} exists and was not written by dbatch; not touching it.`);
        say(
          "add '--force' to replace it (it is kept as pre-commit.orig), or call dbatch-transform --check from it yourself",
        );
        return EXIT_FAILED;
      }
      renameSync(hook, `${hook}.orig`);
      say(`kept the previous hook as ${hook}.orig`);
    }
  }
  mkdirSync(hooksDir, { recursive: true });
  writeFileSync(hook, hookScript(mode, transformPath()));
  chmodSync(hook, 0o755);
  process.stdout.write(
    `installed ${hook} (${mode === "check" ? "checks staged .c/.h files with dbatch-transform --check" : "rewrites and re-stages staged .c/.h files"})\n`,
  );
  return EXIT_OK;
}
