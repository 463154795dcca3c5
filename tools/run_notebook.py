"""Executes a notebook with the Swift Lab kernel through nbclient and writes it with its outputs.

Usage: python tools/run_notebook.py IN.ipynb OUT.ipynb [--figures DIR] [--timeout SECONDS]

Every image output (PNG, SVG) is also written to the figures folder, named after its cell.
Exits non-zero, naming the cell, when a cell fails.
"""
import argparse
import base64
import pathlib
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def save_figures(nb, folder: pathlib.Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for index, cell in enumerate(nb.cells):
        for k, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            stem = f"cell{index:02d}-{k}"
            if "image/png" in data:
                (folder / f"{stem}.png").write_bytes(base64.b64decode(data["image/png"]))
                written += 1
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                (folder / f"{stem}.svg").write_text("".join(svg) if isinstance(svg, list) else svg)
                written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--figures", default=None)
    parser.add_argument("--timeout", type=int, default=7200)
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(nb, kernel_name="swift-lab", timeout=args.timeout,
                            resources={"metadata": {"path": "."}})
    status = 0
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"run_notebook: a cell failed:\n{error}", file=sys.stderr)
        status = 1
    out = pathlib.Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    figures = pathlib.Path(args.figures) if args.figures else out.parent / "figures"
    count = save_figures(nb, figures)
    print(f"run_notebook: wrote {out} and {count} figures to {figures}")
    return status


if __name__ == "__main__":
    sys.exit(main())
