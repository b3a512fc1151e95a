"""The notebooks are stored without outputs or execution counts, valid, and parameterised (papermill)."""
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent
STORED = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in STORED] == ["clv_calibration.ipynb", "cohort_retention_clv.ipynb", "email_performance.ipynb",
                                        "rfm_segments.ipynb"]


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has stored outputs: python3 notebooks/strip_outputs.py notebooks/*.ipynb"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count: python3 notebooks/strip_outputs.py notebooks/*.ipynb"
        assert "execution" not in cell.metadata, f"{path.name} cell {i} keeps execution timings in its metadata"
    assert "papermill" not in nb.metadata, f"{path.name} is an executed copy (papermill metadata): store the source"


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    for name in ("shop", "pg_database", "ch_database", "warehouse_dir"):
        assert f"\n{name} =" in "\n" + params[0].source, f"{path.name}'s parameters must include {name}"
    summaries = [c for c in nb.cells if "summary" in c.metadata.get("tags", [])]
    assert len(summaries) == 1 and "ew.summary_line(" in summaries[0].source


def test_strip_outputs_clears_an_executed_copy(tmp_path):
    import strip_outputs

    nb = nbformat.read(STORED[0], as_version=4)
    nb.metadata["papermill"] = {"parameters": {}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
            cell.execution_count = 3
            cell.metadata["execution"] = {"iopub.status.busy": "2026-11-29T00:00:00Z"}
    copy = tmp_path / STORED[0].name
    nbformat.write(nb, copy)
    assert strip_outputs.strip(str(copy)) is True
    test_stored_without_outputs(copy)
    assert strip_outputs.strip(str(copy)) is False
