#!/usr/bin/env bash
# Installs everything and runs the example app on the embedded default (the memory driver).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
pnpm install --frozen-lockfile
pnpm build
pnpm example
