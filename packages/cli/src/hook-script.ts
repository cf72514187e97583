import { shellQuote } from "@dbatch/vm";

/** The marker that tells a dbatch hook from someone else's. */
export const HOOK_MARKER = "# dbatch-hook: installed by 'dbatch install-hook'";

/**
 * A POSIX sh pre-commit hook. check mode runs dbatch-transform --check on the
 * staged versions of the staged .c/.h files (checked out into a temporary
 * directory, so unstaged edits do not count). rewrite mode rewrites the files
 * and stages the result; it refuses files that also have unstaged changes,
 * since staging them would commit those changes too.
 */
export function hookScript(mode: "check" | "rewrite", transformPath: string): string {
  const head = `#!/bin/sh
${HOOK_MARKER} (mode: ${mode})
# Replace it with 'dbatch install-hook --force [--rewrite]'; skip it once with 'git commit --no-verify'.
dbatch_default=${shellQuote(transformPath)}
DBATCH_TRANSFORM="\${DBATCH_TRANSFORM:-$dbatch_default}"
if [ ! -x "$DBATCH_TRANSFORM" ]; then
	DBATCH_TRANSFORM=$(command -v dbatch-transform || true)
fi
if [ -z "$DBATCH_TRANSFORM" ]; then
	echo "dbatch pre-commit: dbatch-transform not found; set DBATCH_TRANSFORM or put it on PATH" >&2
	exit 1
fi

set --
while IFS= read -r f; do
	[ -n "$f" ] && set -- "$@" "$f"
done <<EOF_DBATCH_FILES
$(git -c core.quotepath=off diff --cached --name-only --diff-filter=ACMR -- '*.c' '*.h')
EOF_DBATCH_FILES
[ $# -eq 0 ] && exit 0
`;
  if (mode === "check") {
    return `${head}
tmp=$(mktemp -d "\${TMPDIR:-/tmp}/dbatch-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
git checkout-index --prefix="$tmp/" -- "$@" || exit 1
(cd "$tmp" && "$DBATCH_TRANSFORM" --check -- "$@")
status=$?
if [ $status -eq 1 ]; then
	echo "dbatch pre-commit: the staged files above are not batched yet." >&2
	echo "  fix: dbatch-transform <files> && git add <files>   (or: git commit --no-verify)" >&2
fi
exit $status
`;
  }
  return `${head}
for f in "$@"; do
	if ! git diff --quiet -- "$f"; then
		echo "dbatch pre-commit: $f has unstaged changes; stage or stash them first (the hook would stage them)" >&2
		exit 1
	fi
done
"$DBATCH_TRANSFORM" --write -- "$@" || exit $?
git add -- "$@"
`;
}
