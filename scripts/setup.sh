#!/usr/bin/env bash
# README command 1: install everything, then run the main job: the seed's
# example transformed, built and run batched, with stats. The example writes
# test.txt into its working directory: it runs in a scratch directory so the
# checkout stays clean.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/deps.sh
work="$(mktemp -d /tmp/dbatch-seed.XXXXXX)"
printf 'dbatch-setup: running the seed example batched in %s\n' "$work" >&2
cd "$work"
"$root/node_modules/.bin/dbatch" run --stats "$root/fixtures/seed/example.c"
printf '\ndbatch-setup: %s/test.txt holds: %s\n' "$work" "$(cat test.txt)" >&2

# The host kernel cannot load modules: the kernel-module backend runs in the
# qemu VM (Debian's own 6.1 kernel with batch.ko). Three calls with no writes
# to merge cost more as an ioctl than as plain calls, so by default the
# library runs them directly (split_reason=no-gain); DBATCH_KMOD_ALWAYS=1
# shows the mechanism: the batch in one ioctl.
printf 'dbatch-setup: the same, in the VM with batch.ko (backend kmod, every batch to the module)\n' >&2
DBATCH_KMOD_ALWAYS=1 "$root/node_modules/.bin/dbatch" run --vm --stats "$root/fixtures/seed/example.c"
