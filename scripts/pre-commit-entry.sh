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
  # One install per clone, even when hooks start at once: the first takes
  # the lock and installs, the others wait and find it done.
  exec 9>"$here/.dbatch-install.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$here/package.json")
    echo "dbatch pre-commit: installing dbatch's node modules in $here (first run only)" >&2
    # pnpm on PATH (the pinned major) needs no download; npx fetches it otherwise.
    if command -v pnpm >/dev/null && [ "$(pnpm --version | cut -d. -f1)" = "${pnpm_version%%.*}" ]; then
      (cd "$here" && CI=true pnpm install --prod --frozen-lockfile --reporter=silent >&2)
    else
      (cd "$here" && CI=true npx --yes "pnpm@$pnpm_version" install --prod --frozen-lockfile \
        --reporter=silent >&2)
    fi
  fi
  exec 9>&-
fi
exec "$bin" "$@"
