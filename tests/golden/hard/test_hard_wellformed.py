"""Self-checks of the hard golden pages (tests/golden/hard/) — the pages and truths themselves, not the extractor.

- the builder is deterministic: building into a temp dir reproduces the checked-in files byte for byte;
- every truth has the truth-format keys and, for a report, every key of its template (in cells.csv order);
- consistent truths satisfy identities 1-4 of template.md (null counts as 0), truths marked inconsistent break one;
- every page decodes strictly with its stated encoding and names its agency;
- the values printed in each page's tables are the truth's values (a small reader for these pages only, with
  lxml; independent of extract/).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CELLS_CSV = ROOT / "core" / "data" / "cells.csv"

TRUTH_KEYS = {"document", "status", "template", "report_year", "agency", "published", "region", "units", "note",
              "layout", "encoding", "variants", "verified", "cells"}
STATUSES = {"ok", "not_a_report", "legacy_format", "no_tables"}
APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
APPLY_COLS = APPLICANTS + ("total",)
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")


def _keys() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(CELLS_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["template"], []).append(row["key"])
    return out


KEYS = _keys()
TRUTHS = sorted(HERE.glob("*.truth.json"))
IDS = [p.name.split(".")[0] for p in TRUTHS]


def _load(p: Path) -> dict:
    return json.loads(p.read_text(encoding="utf-8"))


def test_corpus_size_and_mix():
    truths = [_load(p) for p in TRUTHS]
    ok = [t for t in truths if t["status"] == "ok"]
    assert len(ok) >= 16
    assert sum(t["status"] == "not_a_report" for t in truths) >= 2
    assert {t["template"] for t in ok} == {"2019", "2021"}


def test_builder_is_deterministic(tmp_path: Path):
    out = tmp_path / "hard"
    subprocess.run([sys.executable, str(HERE / "build_hard.py"), "--out", str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    built = sorted(p.name for p in out.iterdir())
    checked_in = sorted(p.name for p in HERE.iterdir() if re.match(r"\d{3}_", p.name))
    assert built == checked_in
    for name in built:
        assert (out / name).read_bytes() == (HERE / name).read_bytes(), name


@pytest.mark.parametrize("path", TRUTHS, ids=IDS)
def test_truth_shape(path: Path):
    t = _load(path)
    assert set(t) == TRUTH_KEYS
    assert re.fullmatch(r"\d{3}_[a-z0-9-]+\.html", t["document"])
    assert path.name == t["document"].replace(".html", ".truth.json")
    assert (HERE / t["document"]).is_file()
    assert t["status"] in STATUSES and t["layout"] == "html" and t["variants"]
    assert t["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["published"])
    if t["status"] != "ok":
        assert t["cells"] == {} and t["template"] is None
        return
    assert list(t["cells"]) == KEYS[t["template"]]
    assert t["agency"] and isinstance(t["report_year"], int)
    assert set(t["units"]) <= set(t["cells"])
    for k, v in t["cells"].items():
        if v is None:
            continue
        if k in ("active.art20_8.fees.amount", "active.art20_9.procurement.amount"):
            assert isinstance(v, (int, float)) and v >= 0, k
        elif k.endswith(".change") and t["template"] == "2019":
            assert isinstance(v, int), k
        else:
            assert isinstance(v, int) and v >= 0, k
    if t["template"] == "2021":
        single = [t["cells"][f"apply.other.{c}"] for c in APPLY_COLS]
        subs = [t["cells"][f"apply.other.{s}.{c}"] for s in ("no_correction", "no_fee", "other") for c in APPLY_COLS]
        assert all(v is None for v in single) or all(v is None for v in subs)


def _n(v):
    return 0 if v is None else v


def identity_failures(t: dict) -> list[str]:
    cells = t["cells"]
    results = ["granted", "partial"] + [k[len("apply."):-len(".person")] for k in cells
                                        if k.startswith(("apply.denied.", "apply.unable.", "apply.rejected.",
                                                         "apply.other")) and k.endswith(".person")]
    if t["template"] == "2021":
        single = cells["apply.other.total"] is not None
        results = [r for r in results if (r == "other") == single or not r.startswith("other")]
    fails = []
    for c in APPLY_COLS:
        g = lambda r: _n(cells[f"apply.{r}.{c}"])  # noqa: E731
        if g("new") + g("carried_over") != g("total") + g("carried_forward"):
            fails.append(f"1:{c}")
        if g("total") != sum(g(r) for r in results):
            fails.append(f"2:{c}")
    for r in ["new", "carried_over", "total", "carried_forward"] + results:
        if _n(cells[f"apply.{r}.total"]) != sum(_n(cells[f"apply.{r}.{c}"]) for c in APPLICANTS):
            fails.append(f"3:{r}")
    for g in REVIEW_GROUPS:
        if _n(cells[f"review.{g}.total"]) != sum(_n(cells[f"review.{g}.{c}"]) for c in REVIEW_COLS[:4]):
            fails.append(f"4:{g}")
    return fails


@pytest.mark.parametrize("path", TRUTHS, ids=IDS)
def test_identities(path: Path):
    t = _load(path)
    if t["status"] != "ok":
        return
    fails = identity_failures(t)
    if "inconsistent" in t["note"].lower():
        assert fails, "marked inconsistent but every identity holds"
    else:
        assert fails == []


def _text(t: dict) -> str:
    return (HERE / t["document"]).read_bytes().decode(t["encoding"], errors="strict")


@pytest.mark.parametrize("path", TRUTHS, ids=IDS)
def test_decodes_and_names_agency(path: Path):
    t = _load(path)
    text = _text(t)
    if t["status"] == "ok":
        assert t["agency"] in text
        assert "<html" in text.lower() and "charset" in text.lower()
    if "gb2312" in t["note"] and t["encoding"] == "gbk":
        assert re.search(r"charset=[\"']?gb2312", text, re.I)
    if "outside GB2312" in t["note"]:
        with pytest.raises(UnicodeDecodeError):
            (HERE / t["document"]).read_bytes().decode("gb2312")


# --- printed values against truth ---------------------------------------------------------------------------------

_FULL = str.maketrans("０１２３４５６７８９．＋－（）", "0123456789.+-()")
_NULLS = {"", "/", "-", "—", "--", "无", "不适用"}
_ACTIVE_ROWS = {
    "2021": {"规章": ("art20_1.rules", 3), "行政规范性文件": ("art20_1.normative", 3), "规范性文件": ("art20_1.normative", 3),
             "行政许可": ("art20_5.licensing", 1), "行政处罚": ("art20_6.penalty", 1), "行政强制": ("art20_6.coercion", 1),
             "行政事业性收费": ("art20_8.fees", 1)},
    "2019": {"规章": ("art20_1.rules", 3), "规范性文件": ("art20_1.normative", 3), "行政许可": ("art20_5.licensing", 3),
             "其他对外管理服务事项": ("art20_5.other_services", 3), "行政处罚": ("art20_6.penalty", 3),
             "行政强制": ("art20_6.coercion", 3), "行政事业性收费": ("art20_8.fees", 2),
             "政府集中采购": ("art20_9.procurement", 2)},
}
_GROUPS = (("不予公开", "denied"), ("无法提供", "unable"), ("不予处理", "rejected"), ("其他处理", "other"))
_SUBS = {
    "denied": ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
               "process_info", "enforcement_file", "query_matter"),
    "unable": ("not_held", "needs_creation", "unclear"),
    "rejected": ("petition", "duplicate", "publication", "excessive", "confirm"),
    "other": ("no_correction", "no_fee", "other"),
}


def _norm(s: str) -> str:
    return re.sub(r"[\s\u3000\u200b]+", "", s.replace("\xa0", " ")).translate(_FULL)


class _Bad(ValueError):
    pass


def _value(text: str):
    s = _norm(text)
    if s in _NULLS:
        return None, None
    unit = None
    for u in ("万元", "元", "件"):
        if s.endswith(u):
            s = s[: -len(u)]
            unit = u if u != "件" else None
            break
    s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", s):
        raise _Bad(text)
    return (float(s) if "." in s else int(s)), unit


def _is_value(text: str) -> bool:
    try:
        _value(text)
        return True
    except _Bad:
        return False


def _rows(html_text: str):
    """Origin cells (text) of every row of every innermost table, in document order."""
    import lxml.html

    doc = lxml.html.fromstring(html_text)
    for table in doc.iter("table"):
        if table.xpath(".//table"):
            continue
        for tr in table.xpath(".//tr"):
            cells = [td.text_content() for td in tr.xpath("./td|./th")]
            if any(_norm(c) for c in cells):
                yield cells


def read_printed(t: dict, html_text: str) -> dict[str, tuple]:
    got: dict[str, tuple] = {}
    tpl = t["template"]
    group = None
    for cells in _rows(html_text):
        normed = [_norm(c) for c in cells]
        # review
        if len(cells) >= 15 and all(_is_value(c) for c in cells[-15:]):
            for (g, c), txt in zip([(g, c) for g in REVIEW_GROUPS for c in REVIEW_COLS], cells[-15:]):
                got[f"review.{g}.{c}"] = _value(txt)
            continue
        label6 = "".join(normed[:-5])
        if len(cells) >= 6 and all(_is_value(c) for c in cells[-5:]) and (
                label6.endswith("行政复议") or label6.endswith("直接起诉") or label6.endswith("复议后起诉")):
            g = "reconsideration" if label6.endswith("行政复议") else "suit_direct" if label6.endswith("直接起诉") \
                else "suit_after"
            for c, txt in zip(REVIEW_COLS, cells[-5:]):
                got[f"review.{g}.{c}"] = _value(txt)
            continue
        # active
        if normed and normed[0] in _ACTIVE_ROWS[tpl]:
            prefix, n = _ACTIVE_ROWS[tpl][normed[0]]
            cols = [k.rsplit(".", 1)[1] for k in t["cells"] if k.startswith(f"active.{prefix}.")]
            assert len(cols) == n and len(cells) == n + 1, (normed, cells)
            for c, txt in zip(cols, cells[1:]):
                got[f"active.{prefix}.{c}"] = _value(txt)
            continue
        # apply
        if len(cells) < 8 or not all(_is_value(c) for c in cells[-7:]):
            continue
        label_cells = normed[:-7]
        label = "".join(label_cells)
        key = None
        for word, g in _GROUPS:
            if word in label:
                group = g
        if "本年新收" in label:
            key = "new"
        elif "上年结转" in label:
            key = "carried_over"
        elif "结转下" in label:
            key = "carried_forward"
        elif label.endswith("予以公开"):
            key = "granted"
        elif "部分公开" in label:
            key = "partial"
        elif label.endswith("总计"):
            key = "total"
        elif tpl == "2019" and label.endswith("其他处理"):
            key = "other"
        else:
            m = re.match(r"(\d)\.", label_cells[-1])
            assert m and group, (label, cells)
            key = f"{group}.{_SUBS[group][int(m.group(1)) - 1]}"
        for c, txt in zip(APPLY_COLS, cells[-7:]):
            got[f"apply.{key}.{c}"] = _value(txt)
    return got


@pytest.mark.parametrize("path", [p for p in TRUTHS if _load(p)["status"] == "ok"],
                         ids=[i for p, i in zip(TRUTHS, IDS) if _load(p)["status"] == "ok"])
def test_printed_values_match_truth(path: Path):
    t = _load(path)
    got = read_printed(t, _text(t))
    for key, want in t["cells"].items():
        if key not in got:
            assert want is None, f"{key} not printed but truth says {want}"
            continue
        printed, unit = got[key]
        assert printed == want, f"{key}: printed {printed}, truth {want}"
        if want is not None:
            assert unit == t["units"].get(key), f"{key}: unit {unit} vs {t['units'].get(key)}"
    printed_keys = {k for k in got}
    assert len(printed_keys) >= len(t["cells"]) - 21, "most cells must be read from the page"


def test_negative_pages_have_no_report_tables():
    for p in TRUTHS:
        t = _load(p)
        if t["status"] == "not_a_report":
            text = _text(t)
            assert "<table" not in text.lower()
            assert "本年新收政府信息公开申请数量" not in text
