#!/bin/sh
# Runs a command in a private network namespace with a veth pair, when root on Linux with
# `unshare` and `ip` available; plainly otherwise. WebRTC gathers no loopback candidates, so
# browser peers need a non-loopback interface; these addresses exist only inside the namespace,
# so no test traffic can leave it. Servers still bind 127.0.0.1 (lo is up inside). The default
# route points into the pair too: Chromium offers the candidate of the default-route interface.
set -e
if [ "$(id -u)" = 0 ] && [ -z "$WEFT_IN_NETNS" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  exec unshare -n sh -c '
    set -e
    ip link set lo up
    ip link add v0 type veth peer name v1
    ip addr add 10.201.0.1/24 dev v0
    ip addr add 10.201.0.2/24 dev v1
    ip link set v0 up
    ip link set v1 up
    ip route add default via 10.201.0.2 dev v0
    WEFT_IN_NETNS=1 exec "$@"' sh "$@"
fi
exec "$@"
