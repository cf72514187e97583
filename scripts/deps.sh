#!/usr/bin/env bash
# Installs everything dBatch needs on a fresh Debian 12 machine with Node 20,
# and does nothing that is already done (safe to run before every test run).
#   system packages (apt-get), pnpm 10 (pinned), node modules, the preload library.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'dbatch-setup: %s\n' "$*" >&2; }

apt_packages=(
  gcc make libc6-dev pkg-config
  liburing-dev
  qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio
  sparse dwarves
  pre-commit
  cmake meson ninja-build
  linux-source-6.1
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

want_pnpm=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  log "installing pnpm@$want_pnpm"
  npm install -g --silent "pnpm@$want_pnpm" >/dev/null
fi

log "pnpm install"
CI=true pnpm install --frozen-lockfile --reporter=silent

# The CLI runs as compiled JavaScript (no TypeScript compiler per call); the
# binaries also recompile by themselves whenever a source changed.
log "compiling the CLI"
node packages/cli/bin/bundle.mjs 2>/dev/null

# The kmod suite runs on bookworm's 6.1 and on 6.12 from bookworm-backports
# (fetched into a cache outside the repository, not installed).
bash scripts/kernels.sh 6.12

log "building the preload library"
make -s -C packages/preload
