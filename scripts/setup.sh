#!/usr/bin/env bash
# README command 1: install everything, then run the main job: the seed's
# example transformed, built and run batched, with stats.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
printf 'dbatch-setup: running the seed example batched\n' >&2
pnpm exec dbatch run --stats fixtures/seed/example.c
