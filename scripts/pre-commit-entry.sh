#!/usr/bin/env bash
# Entry point of the hooks in .pre-commit-hooks.yaml (language: script).
# The pre-commit framework clones this repository into its cache and runs this
# script from the user's repository. npm cannot install a pnpm workspace
# (`workspace:` dependencies), so instead of `language: node` the first run
# installs the runtime dependencies here with pnpm (pinned, production only),
# then every run execs the binary named by $1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="${1:?usage: pre-commit-entry.sh dbatch-transform|dbatch [args...]}"
shift
bin="$here/node_modules/.bin/$tool"
if [ ! -x "$bin" ]; then
  pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$here/package.json")
  echo "dbatch pre-commit: installing dbatch's node modules in $here (first run only)" >&2
  (cd "$here" && CI=true npx --yes "pnpm@$pnpm_version" install --prod --frozen-lockfile \
    --reporter=silent >&2)
fi
exec "$bin" "$@"
