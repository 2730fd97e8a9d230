"""The test suite's own layout: test modules import helpers, never one another.

Shared code lives in tests/helpers/ and fixtures in a conftest.py. A test module that
imports another ties the two together: moving or splitting either breaks the other, and
the importer runs the other module's imports (and its module-level setup) for nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.paths import ROOT, TESTS


def _python_files() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts)


def _is_test_module(path: Path) -> bool:
    return path.name.startswith("test_") and path.suffix == ".py"


def _imported(path: Path, source: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module, or module member, that `source` imports; a
    relative import is resolved against `path`'s package."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # `from tests.rest import test_streams`
                yield node.lineno, f"{module}.{alias.name}"


def imports_of_test_modules(path: Path, source: str) -> list[str]:
    """Where `source` (the text of `path`) imports a test module of this repository."""
    found = []
    for line, name in _imported(path, source):
        target = ROOT.joinpath(*name.split(".")).with_suffix(".py")
        if _is_test_module(target) and target.is_file():
            found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


def test_no_module_imports_a_test_module() -> None:
    """Helpers go to tests/helpers/ (conftest.py may be imported too, but holds fixtures)."""
    offences = [
        offence
        for path in _python_files()
        for offence in imports_of_test_modules(path, path.read_text())
    ]
    assert offences == []


def test_the_import_check_finds_what_it_must() -> None:
    path = TESTS / "media" / "test_example.py"  # never written: only its package matters
    source = (
        "from tests.rest.test_faults import retry_table\n"
        "from tests.rest import test_streams\n"
        "import tests.cli.test_remote\n"
        "from . import test_loop\n"
        "from .test_events import parse\n"
        "from tests.helpers.clients import WSS_URL\n"
        "from tests.conftest import examples\n"
        "from . import conftest\n"
    )
    assert imports_of_test_modules(path, source) == [
        "tests/media/test_example.py:1 imports tests.rest.test_faults",
        "tests/media/test_example.py:2 imports tests.rest.test_streams",
        "tests/media/test_example.py:3 imports tests.cli.test_remote",
        "tests/media/test_example.py:4 imports tests.media.test_loop",
        "tests/media/test_example.py:5 imports tests.media.test_events",
    ]


def test_every_folder_of_tests_and_helpers_is_a_package() -> None:
    """`from tests.helpers... import` needs packages, and so do two test modules of the same
    name in two folders (tests/rest/test_faults.py, tests/media/test_faults.py)."""
    folders = {
        path.parent
        for path in _python_files()
        if _is_test_module(path) or path.name == "conftest.py" or "helpers" in path.parts
    }
    missing = sorted(
        str(folder.relative_to(ROOT))
        for folder in folders
        if not (folder / "__init__.py").is_file()
    )
    assert missing == []
