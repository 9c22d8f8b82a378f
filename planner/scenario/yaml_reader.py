"""Reading one scenario file as YAML: strict about what YAML would otherwise guess silently.

PyYAML follows YAML 1.1, which reads ``17:30`` as the number 1050 (base 60) and ``2026-08-24``
as a date, and keeps the last of two equal keys. A scenario file is checked field by field
afterwards (:mod:`planner.scenario.schema`), so this loader leaves clock times and dates as
text for the schema to judge, and refuses a key written twice in one mapping.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from planner.errors import InputError

_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_REPLACED = {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}


class DuplicateKeyError(yaml.YAMLError):
    """A mapping gives the same key twice."""

    def __init__(self, key: str, first: int, again: int) -> None:
        super().__init__(f"{key} twice")
        self.key, self.first, self.again = key, first, again


class ScenarioLoader(yaml.SafeLoader):
    """Safe YAML loader: no base-60 numbers, dates as text, duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice (merge keys ``<<`` aside)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKeyError(str(key), seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _REPLACED.get(tag, rx))
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Exponents without a sign (1e9) and without a dot are numbers too; PyYAML's table misses them.
for _first in "0123456789":
    _list = ScenarioLoader.yaml_implicit_resolvers.setdefault(_first, [])
    if not any(tag == "tag:yaml.org,2002:float" for tag, _ in _list):
        _list.append(("tag:yaml.org,2002:float", _FLOAT))


def read_mapping(path: Path) -> dict[str, Any]:
    """Read one YAML scenario file as a mapping (no inheritance, no validation).

    Raises
    ------
    InputError
        When the file is missing, not UTF-8, not YAML, not a mapping, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: scenario file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a scenario file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        raw = yaml.load(text, Loader=ScenarioLoader)
    except DuplicateKeyError as exc:
        raise InputError(
            f"{path}, line {exc.again}: field {exc.key} is given twice in the same place "
            f"(also on line {exc.first}); keep one"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    out: dict[str, Any] = copy.deepcopy(raw)  # YAML aliases must not share objects
    return out
