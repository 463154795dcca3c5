#!/usr/bin/env bash
# Side by side: Swift Lab's engine and kernel against PyTorch (CPU) and ipykernel on this machine.
#
#   bench/compare.sh [--reps N] [--full-lab] [--quick] [--skip-build]
#
# Builds the release binary, makes a private venv under bench/.venv with PyTorch, torchvision,
# ipykernel and jupyter_client (never in CI: this downloads several GB), runs every workload in
# both, alternating, and writes bench/results/latest.md (plus the raw runs as JSON lines).
#
# Environment:
#   TORCH_VENV=/path/to/venv   reuse a venv that already has torch + torchvision: bench/.venv is
#                              then made with that venv's interpreter and sees its site-packages
#                              through a .pth file; only ipykernel and jupyter_client are installed.
#   TORCH_INDEX_URL=URL        where pip gets torch/torchvision in a fresh venv (default: PyPI).
#   PYTHON=python3             the interpreter a fresh venv is made from.
set -euo pipefail

if [ -n "${CI:-}" ] || [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "bench/compare.sh: not for CI (it installs PyTorch, several GB, and takes many minutes)" >&2
    exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv"
skip_build=0
for a in "$@"; do [ "$a" = "--skip-build" ] && skip_build=1; done

# 1. The release binary.
cd "$root"
if [ "$skip_build" = 0 ]; then
    echo "== swift build -c release --static-swift-stdlib --product swift-lab"
    swift build -c release --static-swift-stdlib --product swift-lab 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
fi
bin="$root/.build/release/swift-lab"
test -x "$bin" || { echo "bench/compare.sh: no $bin (build failed?)" >&2; exit 1; }

# 2. The private venv.
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, torchvision, ipykernel, jupyter_client" 2>/dev/null; then
    if [ -n "${TORCH_VENV:-}" ]; then
        echo "== bench/.venv on top of $TORCH_VENV"
        "$TORCH_VENV/bin/python" -c "import torch, torchvision" \
            || { echo "bench/compare.sh: TORCH_VENV=$TORCH_VENV cannot import torch and torchvision" >&2; exit 1; }
        rm -rf "$venv"
        base="$(readlink -f "$TORCH_VENV/bin/python")"
        "$base" -m venv "$venv"
        site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
        "$TORCH_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/torch_venv.pth"
        "$venv/bin/python" -m pip install --quiet ipykernel jupyter_client
    else
        echo "== fresh bench/.venv with torch, torchvision, ipykernel, jupyter_client (several GB)"
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        if [ -n "${TORCH_INDEX_URL:-}" ]; then
            "$venv/bin/python" -m pip install --quiet --index-url "$TORCH_INDEX_URL" torch torchvision
        else
            "$venv/bin/python" -m pip install --quiet torch torchvision
        fi
        "$venv/bin/python" -m pip install --quiet ipykernel jupyter_client numpy pillow
    fi
    "$venv/bin/python" -c "import torch, torchvision, ipykernel, jupyter_client; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'ipykernel', ipykernel.__version__, 'jupyter_client', jupyter_client.__version__)"
fi

# 3. The runs.
args=()
for a in "$@"; do [ "$a" != "--skip-build" ] && args+=("$a"); done
exec "$venv/bin/python" "$here/compare.py" --swift-lab "$bin" "${args[@]+"${args[@]}"}"
