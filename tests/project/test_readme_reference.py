"""README.md's Reference lists every public name, one row each, under its module's heading,
and nothing that is not public: a name added to an `__all__` must be added there too."""

from __future__ import annotations

import re
from types import ModuleType

import pytest
import signalwire_streams
import signalwire_streams.callbacks
import signalwire_streams.cxml
import signalwire_streams.media
import signalwire_streams.testing

from tests.helpers.paths import README

MODULES = [
    signalwire_streams,
    signalwire_streams.media,
    signalwire_streams.callbacks,
    signalwire_streams.cxml,
    signalwire_streams.testing,
]


def reference_tables(text: str) -> dict[str, list[str]]:
    """The names in the first cell of each row, by the module heading above them."""
    section = text.partition("\n## Reference\n")[2].partition("\n## ")[0]
    tables: dict[str, list[str]] = {}
    for heading, body in re.findall(r"^### `([\w.]+)`\n(.*?)(?=^### |\Z)", section, re.S | re.M):
        tables[heading] = re.findall(r"^\| `(\w+)` \|", body, re.M)
    return tables


TABLES = reference_tables(README.read_text())


@pytest.mark.parametrize("module", MODULES, ids=[module.__name__ for module in MODULES])
def test_the_reference_lists_exactly_the_public_names(module: ModuleType) -> None:
    listed = TABLES.get(module.__name__)
    assert listed is not None, f"README.md's Reference has no table for {module.__name__}"
    assert len(listed) == len(set(listed)), "a name is listed twice"
    assert sorted(set(module.__all__) - set(listed)) == [], "public, but not in the README"
    assert sorted(set(listed) - set(module.__all__)) == [], "in the README, but not public"


def test_the_reference_has_a_table_per_module_and_no_other() -> None:
    assert list(TABLES) == [module.__name__ for module in MODULES]


def test_a_missing_name_is_found() -> None:
    text = README.read_text().replace("| `connect_stream` |", "| connect_stream |")
    assert "connect_stream" not in reference_tables(text)["signalwire_streams.cxml"]
