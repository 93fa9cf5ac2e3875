#!/usr/bin/env bash
# Installs everything Leakguard needs on a machine that has only Node 20+ and npm:
# pnpm (pinned), the workspace's dependencies (re2 builds from source), and the build.
# The README's install command and .ci/run both call this, so they cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  # corepack is not used on purpose: it downloads from outside the npm registry.
  npm install --global "pnpm@$PNPM_VERSION"
fi

# re2 is a native addon: node-gyp must build it against this Node's own headers, which it
# would otherwise try to download. Use the headers that ship with Node when they are there.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  if [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi

# `pnpm install` also builds every package and rebuilds tap with the project's plugin set
# (the root "prepare" script: `tsc -b && tap build`); a tap built with its default plugins
# would load its own TypeScript loader next to tsx on the first run.
pnpm install --frozen-lockfile
