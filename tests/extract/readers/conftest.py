"""Shared helpers for the format reader tests (tests/extract/readers/)."""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from extract.model import ParsedDocument
from extract.settings import ExtractSettings

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "files"


@pytest.fixture
def settings() -> ExtractSettings:
    return ExtractSettings()


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def truth_of(name: str) -> dict:
    stem = name.rsplit(".", 1)[0]
    return json.loads((GOLDEN / f"{stem}.truth.json").read_text(encoding="utf-8"))


def golden_documents() -> list[str]:
    out = []
    for p in sorted(GOLDEN.glob("*.truth.json")):
        out.append(json.loads(p.read_text(encoding="utf-8"))["document"])
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rows(doc: ParsedDocument) -> list[list[str]]:
    """The structured rows of a document, in order."""
    out: list[list[str]] = []
    key = None
    for c in doc.cells:
        if c.table is None:
            key = None
            continue
        if (c.table, c.row) != key:
            out.append([])
            key = (c.table, c.row)
        out[-1].append(c.text)
    return out


_NULLS = {"", "/", "-", "—", "--", "无", "不适用", "－", "——"}


def value(text: str):
    """An independent, simple reading of a printed value (for the reader tests only)."""
    t = squash(text).replace(",", "")
    if t in _NULLS:
        return None
    t = re.sub(r"(万元|元|件|个|项)$", "", t)
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+\.\d+", t):
        return float(t)
    return "?" + text


# keyword in the squashed row label -> apply row key (rows whose labels no variant changes)
APPLY_ROWS = {
    "本年新收": "new",
    "上年结转": "carried_over",
    "予以公开": "granted",
    "国家秘密": "denied.state_secret",
    "不掌握": "unable.not_held",
    "重复申请": "rejected.duplicate",
    "结转下": "carried_forward",
}
APPLY_COLS = ("person", "business", "research", "nonprofit", "legal", "other_org", "total")


def check_apply_rows(doc: ParsedDocument, truth: dict) -> list[str]:
    """Compare the apply-table rows that a label finds with the truth: the row's last 7 cells are its values."""
    problems = []
    all_rows = rows(doc)
    for kw, key in APPLY_ROWS.items():
        hits = [r for r in all_rows if len(r) >= 8 and any(kw in squash(c) for c in r[:-7])]
        if not hits:
            problems.append(f"no row for {kw}")
            continue
        got = [value(c) for c in hits[0][-7:]]
        want = [truth["cells"][f"apply.{key}.{c}"] for c in APPLY_COLS]
        if got != want:
            problems.append(f"{key}: got {got} want {want} (row {hits[0]})")
    return problems
