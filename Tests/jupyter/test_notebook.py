"""The lab notebook, executed end to end by nbclient with the swift-lab kernel on synthetic data.

The notebook's `let` variables are overridden through SWIFT_LAB_SET, which the kernel's session reads
at start-up, so the committed notebook runs unchanged. Asserts the lab's key outputs: the parameter
count, the residual block's shapes, the per-epoch lines, evaluation, and that the figures are there.
"""
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOK = os.path.join(HERE, "..", "..", "Notebooks", "resnet-lab.ipynb")


def text_of(cell):
    """All text the cell produced: streams and the text/plain of rich outputs."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    os.environ["SWIFT_LAB_SET"] = "data=synthetic epochs=2 batch=32 train=320 test=160 depth=20"
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(nb, kernel_name="swift-lab", timeout=600).execute()
    finally:
        del os.environ["SWIFT_LAB_SET"]
    nbformat.write(nb, str(tmp_path_factory.mktemp("nb") / "executed.ipynb"))
    return nb


def all_text(nb):
    return "\n".join(text_of(c) for c in nb.cells if c.cell_type == "code")


def test_every_code_cell_ran_without_error(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert len(code) >= 12
    for cell in code:
        assert cell.execution_count is not None, cell.source
        assert all(o["output_type"] != "error" for o in cell.outputs), cell.source


def test_parameter_count_is_an_execute_result(executed):
    results = [o["data"]["text/plain"] for c in executed.cells if c.cell_type == "code"
               for o in c.outputs if o["output_type"] == "execute_result"]
    assert "11,181,642" in results
    assert "334,794" in results


def test_residual_walk_shapes(executed):
    text = all_text(executed)
    for row in ("input x", "F(x)", "shortcut (identity x)", "F(x) + shortcut"):
        assert re.search(re.escape(row) + r"\s+1x64x8x8", text), row


def test_per_epoch_lines_and_evaluation(executed):
    text = all_text(executed)
    epochs = re.findall(r"epoch (\d+)\s+loss (\d+\.\d+)\s+train accuracy (\d+\.\d+)%\s+(\d+\.\d+)s", text)
    assert [e[0] for e in epochs] == ["1", "2"]
    assert all(0 < float(e[1]) < 10 for e in epochs)
    accuracy = re.search(r"test accuracy of resnet: (\d+\.\d+)% \((\d+) / 160 correct\)", text)
    assert accuracy, text[-2000:]
    assert "first-layer" in text and "times smaller" in text


def test_figures_are_present(executed):
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    # samples, identity / F(x) / F(x)+x, first-layer maps; training curve, per-class bars, gradients
    assert len(pngs) >= 5
    assert len(svgs) >= 3
    titles = " ".join(o["data"]["text/plain"] for o in pngs)
    for title in ("Identity (x)", "F(x)", "F(x) + x", "First Layer Feature Maps"):
        assert title in titles
    assert all(o["data"]["image/png"].startswith("iVBORw0KGgo") for o in pngs)
