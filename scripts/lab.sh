#!/usr/bin/env bash
# The main job: sets up a fresh Debian machine, builds Swift Lab, installs the kernel and runs the
# whole lab notebook end to end through Jupyter (nbclient) with no network.
#
# Data: CIFAR-10 when it is under ./data (cifar-10-batches-bin/, cifar-10-batches-py/ or an
# official archive), otherwise Fashion-MNIST from Debian's dataset-fashion-mnist; the notebook's
# `data auto` says which and why. SWIFT_LAB_SET overrides the notebook's variables, e.g.
#   SWIFT_LAB_SET="data=synthetic epochs=1" bash scripts/lab.sh
# Output: out/resnet-lab.ipynb (executed, with every output) and out/figures/ (PNG and SVG).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

bin="$(pwd)/.build/release/swift-lab"
venv="$(pwd)/.build/jupyter-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check jupyter_client nbclient nbformat

# The kernel for this run lives in the venv; `swift-lab install-kernel --user` installs it for you.
"$bin" install-kernel --prefix "$venv" >/dev/null
export JUPYTER_PATH="$venv/share/jupyter"

mkdir -p out
if [ -d data/cifar-10-batches-bin ] || [ -d data/cifar-10-batches-py ] ||
   [ -f data/cifar-10-binary.tar.gz ] || [ -f data/cifar-10-python.tar.gz ]; then
    echo "lab: CIFAR-10 found under ./data: the lab runs on it"
else
    echo "lab: no CIFAR-10 under ./data (and no network to fetch it): the lab runs on Fashion-MNIST from /usr/share/datasets/fashion-mnist (unless SWIFT_LAB_SET names other data)"
fi
start=$(date +%s)
"$venv/bin/python" tools/run_notebook.py Notebooks/resnet-lab.ipynb out/resnet-lab.ipynb --figures out/figures
echo "lab: done in $(( $(date +%s) - start )) s; open out/resnet-lab.ipynb in Jupyter, figures in out/figures/"
