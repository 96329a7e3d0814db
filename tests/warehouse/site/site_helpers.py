"""Helpers for the site tests: a site built from the outputs world, and parsing its pages."""
from __future__ import annotations

from pathlib import Path

import lxml.html

from tests.warehouse.wh_outputs import build_outputs_world
from warehouse.load import load_run
from warehouse.site.build import build_site


def build_world_site(data_dir: Path, out: Path, **kw):
    b, expected = build_outputs_world(data_dir)
    load_run(data_dir, *b.write())
    summary = build_site(data_dir, out, **kw)
    return summary, expected


def page(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def figure_table(doc) -> dict[str, dict[int, str]]:
    """cell key → {year: the text shown} from an agency page's figure tables."""
    out: dict[str, dict[int, str]] = {}
    for table in doc.cssselect("table.figures"):
        years = [int(th.get("data-year")) for th in table.cssselect("th[data-year]")]
        for tr in table.cssselect("tr[data-key]"):
            tds = tr.cssselect("td")[2:]
            out[tr.get("data-key")] = {y: td.text_content().strip() for y, td in zip(years, tds)}
    return out


def shown(value) -> str:
    """How the site prints a figure (thousands separators, no trailing .0)."""
    if value is None:
        return "—"
    f = float(value)
    if f == int(f):
        return f"{int(f):,}"
    return f"{f:,.4f}".rstrip("0").rstrip(".")
