#!/usr/bin/env bash
# Installs what Swift Lab needs on a fresh Debian machine and builds the release binary.
# Usage: bash scripts/setup.sh        (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas-dev libzmq3-dev libreadline-dev zlib1g-dev libssl-dev libcurl4-openssl-dev pkg-config
          dataset-fashion-mnist python3-venv)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: no Swift toolchain on PATH (install Swift 6 from swift.org, then rerun)"; exit 1; }
# The product: release, with the Swift runtime and Foundation linked in (--static-swift-stdlib), so it
# starts in a few milliseconds instead of ~20 (what lets the kernel answer Jupyter's first connect).
# The tests build separately (scripts/test.sh), since XCTest needs the shared runtime.
swift build -c release --static-swift-stdlib 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
test -x .build/release/swift-lab || { echo "setup: build failed"; exit 1; }
echo "setup: built $(pwd)/.build/release/swift-lab"
