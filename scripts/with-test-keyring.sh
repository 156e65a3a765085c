#!/usr/bin/env bash
# Runs a command against a private, unlocked GNOME Keyring (a Secret Service) on a private
# D-Bus session bus, with HOME and the XDG directories in a temporary directory: the real
# QtKeychain path can be tested headless, and the user's own keyring is never touched.
# Exits 77 (a skipped test for CTest) when dbus-run-session or gnome-keyring-daemon is missing;
# scripts/deps.sh installs both.
#   scripts/with-test-keyring.sh build/tests/app/models/tst_secretstore
set -euo pipefail

for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null; then
        echo "skipped: $tool is not installed (scripts/deps.sh installs it)" >&2
        exit 77
    fi
done

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home
export XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache
export XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY

# The password only unlocks this throw-away login keyring. The daemon ends with the bus.
status=0
dbus-run-session -- bash -c '
    printf "%s" sse-monitor-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    "$@"' keyring "$@" || status=$?
exit "$status"
