#!/bin/sh
# Builds a Redis container image from the Redis binaries installed on this machine, without pulling
# anything: a root filesystem holding redis-server, redis-cli, every library `ldd` lists for them,
# the dynamic loader and a static busybox (for /bin/sh), imported with `docker import`.
#
#   build-redis-image.sh [TAG]      default TAG: stowage-redis:<version of the host's redis-server>
#
# Needs: docker (the CLI, reaching an engine through DOCKER_HOST or its default socket), ldd, tar,
# a static busybox (Debian: busybox-static), and the Redis binaries (Debian: redis-tools, which
# ships the server as redis-check-rdb). Prints the tag on its last line.
set -eu

find_bin() {
  for name in "$@"; do
    path=$(command -v "$name" 2>/dev/null || true)
    if [ -n "$path" ]; then
      echo "$path"
      return 0
    fi
  done
  return 1
}

server=$(find_bin redis-server redis-check-rdb) || {
  echo "build-redis-image: no redis-server (Debian: apt-get install redis-tools)" >&2
  exit 1
}
cli=$(find_bin redis-cli) || {
  echo "build-redis-image: no redis-cli (Debian: apt-get install redis-tools)" >&2
  exit 1
}
busybox=$(find_bin busybox) || {
  echo "build-redis-image: no busybox (Debian: apt-get install busybox-static)" >&2
  exit 1
}
if ldd "$busybox" >/dev/null 2>&1; then
  echo "build-redis-image: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

# Debian's redis-check-rdb answers --version as itself; redis-cli comes from the same build.
version=$("$cli" --version | sed -n 's/^redis-cli \([0-9.]*\).*/\1/p')
tag=${1:-stowage-redis:${version:-unknown}}

root=$(mktemp -d "${TMPDIR:-/tmp}/stowage-redis-image-XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/bin" "$root/data" "$root/tmp" "$root/etc"
# Copied as redis-server: Redis picks its role from its program name.
cp "$server" "$root/usr/local/bin/redis-server"
cp "$cli" "$root/usr/local/bin/redis-cli"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat ls ps kill sleep grep; do ln -s busybox "$root/bin/$applet"; done

# Every shared library and the loader, at the paths the binaries ask for.
for lib in $(ldd "$server" "$cli" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# An explicit command turns protected mode back on, and a container is reached from outside its
# loopback: the entrypoint adds --protected-mode no (later arguments still win).
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  shift
  exec /usr/local/bin/redis-server --protected-mode no "$@"
fi
exec "$@"
SH
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
echo 'root:x:0:0:root:/data:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/bin' \
  --change 'WORKDIR /data' \
  --change 'EXPOSE 6379' \
  --change 'LABEL org.stowage.testing=image' \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  --change 'CMD ["redis-server"]' \
  - "$tag" >/dev/null
echo "$tag"
