#!/usr/bin/env bash
# Runs the Swift Lab kernel's Python tests (jupyter_kernel_test suite + lifecycle tests).
#
# Creates (or reuses) a venv with jupyter_client, jupyter_kernel_test and pytest, installs the
# kernelspec of the built swift-lab binary into it, and runs the tests with pytest.
#   Tests/jupyter/run.sh [pytest args...]
# Environment: SWIFT_LAB_BIN (default: the release, else debug, build under .build or $SCRATCH),
#              VENV (default .build/jupyter-venv), SWIFT_LAB_PIP_OFFLINE=1 to skip pip.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$root/.build/jupyter-venv}"

bin="${SWIFT_LAB_BIN:-}"
if [[ -z "$bin" ]]; then
  for candidate in "${SCRATCH:-$root/.build}/release/swift-lab" "${SCRATCH:-$root/.build}/debug/swift-lab"; do
    [[ -x "$candidate" ]] && bin="$candidate" && break
  done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "run.sh: no swift-lab binary; build it (swift build) or set SWIFT_LAB_BIN" >&2
  exit 2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if [[ "${SWIFT_LAB_PIP_OFFLINE:-0}" != 1 ]]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check jupyter_client jupyter_kernel_test pytest nbclient nbformat
fi

export SWIFT_LAB_BIN="$bin"
# Only the venv's kernelspec: no user or system kernels can shadow it.
"$bin" install-kernel --prefix "$venv" >/dev/null
export JUPYTER_PATH="$venv/share/jupyter"
export JUPYTER_DATA_DIR="$venv/share/jupyter"
export JUPYTER_RUNTIME_DIR="$(mktemp -d)"
trap 'rm -rf "$JUPYTER_RUNTIME_DIR"' EXIT
echo "kernel: $bin"
echo "kernelspec: $venv/share/jupyter/kernels/swift-lab"

cd "$here"
"$venv/bin/python" -m pytest -p no:cacheprovider -q -rfEs "$@" test_kernel_suite.py test_lifecycle.py test_installer.py test_notebook.py test_robustness.py test_startup_linkage.py
