#!/usr/bin/env bash
# Installs everything (pnpm, dependencies, the Redis binaries) and runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIRE_REDIS=1 source scripts/ensure-tools.sh
pnpm install --frozen-lockfile
pnpm build
pnpm lint
pnpm check:packages
pnpm test
