#!/usr/bin/env bash
# README command 2: runs every test; the last line is `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
exec node scripts/test.mjs "$@"
