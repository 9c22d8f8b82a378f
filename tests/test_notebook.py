"""The walkthrough notebook: committed without outputs, and it runs from top to bottom."""

from __future__ import annotations

import json

import nbformat
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "walkthrough.ipynb"


def test_committed_notebook_has_no_outputs() -> None:
    """Outputs are stripped before committing: no outputs, no execution counts."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 6
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
    assert nb.metadata.kernelspec.name == "python3"


def test_walkthrough_runs_end_to_end() -> None:
    """Load, plan, map, compare and a small Dask sweep all run in a fresh python3 kernel.

    The kernel is the ``python3`` kernel of this environment (the kernel command ``python``
    is started as this interpreter). The committed file is left untouched.
    """
    before = NOTEBOOK.read_bytes()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    assert NOTEBOOK.read_bytes() == before

    def text(cell: nbformat.NotebookNode) -> str:
        parts = []
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for v in out.get("data", {}).values())
        return "\n".join(parts)

    code = [c for c in nb.cells if c.cell_type == "code"]
    everything = "\n".join(text(c) for c in code)
    assert "applications outstanding" in everything and "12,097" in everything
    map_cell = next(c for c in code if c.source.strip() == "build_map(plan)")
    assert "leaflet" in text(map_cell).lower()  # the folium map displays inline
    compare_cell = next(c for c in code if "compare_plans(" in c.source)
    assert "<svg" in text(compare_cell) and "applications_planned" in text(compare_cell)
    sweep_cell = next(c for c in code if "run_sweep(" in c.source)
    counts = next(o["text"] for o in sweep_cell.outputs if o.get("output_type") == "stream")
    assert json.loads(counts.strip().replace("'", '"'))["total"] == 2
    assert "teams=5" in text(sweep_cell)
