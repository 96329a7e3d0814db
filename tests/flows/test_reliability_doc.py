"""docs/reliability.md names, for every fault and every bullet of issue 10, the test that shows it: each test it
names must exist (a renamed or deleted test would otherwise leave the page promising what nothing checks)."""
from __future__ import annotations

import pytest

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """(test file under tests/, function or None) for every reference in the table rows; `…::name` and `::name`
    refer to the file named last before them in the same row or an earlier one."""
    out: list[tuple[str, str | None]] = []
    last: str | None = None
    for row in text.splitlines():
        if not row.startswith("|"):
            continue
        for ref in re.findall(r"`([^`]+)`", row):
            ref = ref.strip()
            if ref.startswith(("…::", "::")):
                assert last, f"{ref!r} with no file before it"
                file, name = last, ref.split("::", 1)[1]
            elif re.match(r"^[\w/]*test_\w+\.py(::|$)", ref):
                file, _, name = ref.partition("::")
            else:
                continue
            last = file
            out.append((file, name.split("[")[0] if name else None))
    return out


@pytest.mark.slow
def test_every_test_the_page_names_exists():
    refs = named_tests(DOC.read_text(encoding="utf-8"))
    assert len(refs) > 60  # the page really is read
    missing = []
    for file, name in refs:
        path = ROOT / "tests" / file
        if not path.is_file():
            missing.append(f"no file tests/{file}")
        elif name and name not in _test_names(path):
            missing.append(f"no test {name} in tests/{file}")
    assert missing == []
