#!/usr/bin/env bash
# Installs everything (pnpm, dependencies, the Redis and PostgreSQL binaries, a container engine
# where it can) and runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIRE_REDIS=1 REQUIRE_POSTGRES=1 WANT_CONTAINERS=1 source scripts/ensure-tools.sh
pnpm install --frozen-lockfile
pnpm build
pnpm lint
pnpm check:packages
pnpm test
