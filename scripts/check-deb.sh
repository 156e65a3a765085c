#!/usr/bin/env bash
# Builds the .deb (Release, build-deb) and installs it with apt into a fresh Debian 12 chroot
# (debootstrap, minbase) that has no build tree and none of the build packages, then runs the
# installed programs there: versions, the CLI on its demo, a replayed recording through a
# --profiles-file profile, and the GUI offscreen through the desktop entry's Exec line with
# LANG=en_US.UTF-8 and LANG=zh_CN.UTF-8 (screenshots in $CHROOT/tmp). Needs root.
# CHROOT (default /tmp/sse-monitor-deb-chroot) is reused if present.
set -euo pipefail
cd "$(dirname "$0")/.."

chroot_dir=${CHROOT:-/tmp/sse-monitor-deb-chroot}
bash scripts/deps.sh debootstrap
cmake -S . -B build-deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSE_MONITOR_BUILD_TESTS=OFF
cmake --build build-deb --parallel "$(nproc)"
(cd build-deb && cpack -G DEB)
deb=$(ls build-deb/sse-monitor_*_amd64.deb | head -n 1)
dpkg-deb -I "$deb" | grep -E "Version|Depends|Recommends"
# HTTP/2 is libnghttp2: dpkg-shlibdeps must have found it.
dpkg-deb -I "$deb" | grep -E "^ Depends:.*libnghttp2-14" >/dev/null

if [[ ! -x $chroot_dir/usr/bin/apt-get ]]; then
    debootstrap --variant=minbase bookworm "$chroot_dir" http://deb.debian.org/debian
fi
cp "$deb" "$chroot_dir/tmp/sse-monitor.deb"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
mountpoint -q "$chroot_dir/proc" || mount -t proc proc "$chroot_dir/proc"
trap 'umount "$chroot_dir/proc" || true' EXIT

chroot "$chroot_dir" /bin/bash -euo pipefail -c '
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/sse-monitor.deb >/dev/null
ls /usr/share/applications/sse-monitor.desktop /usr/share/metainfo/*.metainfo.xml \
   /usr/share/icons/hicolor/scalable/apps/sse-monitor.svg /usr/share/man/man1/sse-monitor*.1.gz
sse-monitor-cli --version
rm -f /tmp/demo.jsonl /tmp/profile.jsonl
timeout 30 sse-monitor-cli --demo --max-events 3 -q -o /tmp/demo.jsonl
test "$(wc -l < /tmp/demo.jsonl)" -eq 3
sse-monitor-cli replay /tmp/demo.jsonl --listen 127.0.0.1:18080 --fast >/tmp/replay.out 2>&1 &
replay=$!
sleep 1
echo "[{\"name\":\"Recorded demo\",\"url\":\"http://127.0.0.1:18080/\"}]" > /tmp/profiles.json
timeout 10 sse-monitor-cli --profiles-file /tmp/profiles.json --profile "Recorded demo" \
    --max-events 3 -q -o /tmp/profile.jsonl
test "$(wc -l < /tmp/profile.jsonl)" -eq 3
kill $replay
export QT_QPA_PLATFORM=offscreen
# Started the way the desktop menu starts it (the Exec line), in the system language.
command=$(sed -n "s/^Exec=//p" /usr/share/applications/sse-monitor.desktop | sed "s/ %[uUfF]//")
for locale in en_US.UTF-8 zh_CN.UTF-8; do
    LANG=$locale timeout 60 $command --demo --no-restore \
        --screenshot /tmp/sse-monitor-$locale.png --screenshot-delay 3000 2>/dev/null
    test -s /tmp/sse-monitor-$locale.png
done
echo "installed package: all checks passed"
'
echo "screenshots: $chroot_dir/tmp/sse-monitor-en_US.UTF-8.png $chroot_dir/tmp/sse-monitor-zh_CN.UTF-8.png"
