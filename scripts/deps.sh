#!/usr/bin/env bash
# Installs the Debian 12 packages SSE Monitor needs to build, test and run.
# Only missing packages are installed; safe to run again. Extra package names given
# as arguments are installed too (scripts/fuzz.sh uses this for clang).
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libgl-dev
    qt6-qpa-plugins libqt6svg6 qt6-svg-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
    zlib1g-dev
    # HTTP/2 (sselib), and a real h2 server for its tests (tests/sselib/tst_http2.cpp)
    libnghttp2-dev nginx-light
    # secrets in the keychain; a private Secret Service for its headless test
    qtkeychain-qt6-dev libqt6keychain1
    dbus-daemon gnome-keyring libsecret-1-0
    xvfb xauth fonts-dejavu-core fonts-wqy-microhei
    desktop-file-utils appstream dpkg-dev
    # promtool and a real Prometheus for the probe's tests (scripts/prometheus-check.sh)
    prometheus
    # the load-conformance server and runner (tests/load), the GUI conformance test
    python3
    # byte-level checks of the replay faults and the recording proxy (tst_replayfaults, tst_reverseproxy)
    curl
    # node for tst_reverseproxy's npm eventsource client (the image's nodejs brings npm)
    nodejs
    # real proxies for tests/sselib/tst_proxy.cpp (HTTP, CONNECT, SOCKS5; microsocks for
    # SOCKS5 with a user name and password, which dante only takes for system accounts)
    tinyproxy dante-server microsocks
    "$@"
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
fi
