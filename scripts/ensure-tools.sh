#!/usr/bin/env bash
# Sourced by the quick-start and test scripts: makes sure the pinned pnpm is on PATH
# (corepack's download can fail signature checks on Node 20, so npm installs it),
# with REQUIRE_REDIS=1, that the Redis server binary, redis-cli and openssl exist, with
# REQUIRE_POSTGRES=1, that PostgreSQL's initdb and postgres exist (and, as root, the postgres account
# they run under), and with
# WANT_CONTAINERS=1, that a container engine can run the container tests (installed where it can be;
# where not, those tests skip and say why).
set -euo pipefail

PNPM_VERSION=10.34.8

if ! command -v node >/dev/null 2>&1; then
  echo "stowage: Node.js 20.10 or newer is required (https://nodejs.org)." >&2
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=10)?0:1)' || {
  echo "stowage: Node.js 20.10 or newer is required; found $(node --version)." >&2
  exit 1
}

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "stowage: installing pnpm@$PNPM_VERSION with npm"
  if ! npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No write access to the global prefix: install into a project-local prefix instead.
    npm install --silent --prefix "$PWD/.tools" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$PWD/.tools/node_modules/.bin:$PATH"
  fi
  hash -r
fi

if [ "${REQUIRE_REDIS:-0}" = 1 ]; then
  missing=()
  # Debian's redis-tools ships the server binary as redis-check-rdb; the test harness starts it
  # as redis-server (and as a sentinel with --sentinel), so neither name needs a service package.
  command -v redis-server >/dev/null 2>&1 || command -v redis-check-rdb >/dev/null 2>&1 ||
    missing+=(redis-server)
  for bin in redis-cli openssl; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "stowage: installing ${missing[*]} from Debian's packages (redis-tools, openssl)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      # redis-tools carries the server binary and redis-cli without starting a system service.
      apt-get install -y -qq --no-install-recommends redis-tools openssl >/dev/null
    else
      echo "stowage: the tests start their own Redis servers and need: ${missing[*]}." >&2
      echo "  Debian/Ubuntu: sudo apt-get install redis-tools openssl   (Redis 7.0 or newer)" >&2
      echo "  macOS:         brew install redis openssl" >&2
      exit 1
    fi
  fi
fi

if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
  # The harness looks where this does: Debian's /usr/lib/postgresql/<newest>/bin (not on PATH),
  # then PATH, then pg_config --bindir.
  postgres_found() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && return 0
    done
    command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
    command -v pg_config >/dev/null 2>&1 && dir="$(pg_config --bindir 2>/dev/null)" &&
      [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]
  }
  missing=()
  postgres_found || missing+=("initdb and postgres")
  # PostgreSQL refuses to run as root: as root the harness runs it as Debian's postgres account.
  [ "$(id -u)" != 0 ] || id -u postgres >/dev/null 2>&1 || missing+=("the postgres user")
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "stowage: installing Debian's PostgreSQL server package (postgresql, openssl) for: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      # The harness starts its own servers: no system cluster, so the package starts no service.
      mkdir -p /etc/postgresql-common/createcluster.d
      echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/stowage-no-main-cluster.conf
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends postgresql openssl >/dev/null
    else
      echo "stowage: the tests start their own PostgreSQL servers and need: ${missing[*]}." >&2
      echo "  Debian/Ubuntu: sudo apt-get install postgresql openssl   (no service or cluster is used)" >&2
      echo "  macOS:         brew install postgresql openssl" >&2
      exit 1
    fi
  fi
fi

if [ "${WANT_CONTAINERS:-0}" = 1 ]; then
  # The container tests start a private dockerd when no engine answers (no service manager needed),
  # build their Redis image from the host's binaries with a static busybox, and cut networks with
  # iptables inside a container's namespace. None of this is fatal: without it they skip.
  missing=()
  { command -v docker >/dev/null 2>&1 && [ -S /var/run/docker.sock ]; } ||
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "stowage: installing ${missing[*]} from Debian's packages for the container tests"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null || true
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        echo "stowage: could not install ${missing[*]}; the container tests will skip" >&2
    else
      echo "stowage: no ${missing[*]}; the container tests will skip (Docker Desktop, or" >&2
      echo "  Debian/Ubuntu as root: apt-get install docker.io busybox-static iptables)" >&2
    fi
  fi
fi
