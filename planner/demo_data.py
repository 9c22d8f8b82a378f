"""Where the shipped demo scenario is: in the installed package, or in the source tree.

A wheel carries the demo as package data (``planner/data/``: ``scenarios/demo.yaml`` and the
``geodata/demo`` files it names, laid out as in the repository so the scenario's relative paths
hold). A source checkout has no ``planner/data/``; there the repository's own files are used.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The demo scenario, relative to the data root (the repository, or ``planner/data``).
DEMO_RELATIVE = Path("scenarios") / "demo.yaml"
#: The files the demo scenario reads, relative to the data root.
DEMO_FILES: tuple[str, ...] = (
    "scenarios/demo.yaml",
    "geodata/demo/district.geojson",
    "geodata/demo/communes.geojson",
    "geodata/demo/households.csv",
)


def demo_scenario() -> Path:
    """The path of the demo scenario file.

    Raises
    ------
    FileNotFoundError
        If neither the package data nor a source tree holds it (a broken installation).
    """
    packaged = Path(str(files("planner").joinpath("data"))) / DEMO_RELATIVE
    source = Path(__file__).resolve().parent.parent / DEMO_RELATIVE
    for path in (packaged, source):
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"the demo scenario is missing: neither {packaged} nor {source} exists. Reinstall the "
        "planner, or use a copy of the repository (its scenarios/demo.yaml)."
    )


def _default() -> Path:
    try:
        return demo_scenario()
    except FileNotFoundError:
        return Path(str(files("planner").joinpath("data"))) / DEMO_RELATIVE


#: The demo scenario's path (where it would be, if the installation is broken).
DEMO_SCENARIO: Path = _default()
