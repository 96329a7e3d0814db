"""Self-checks of the golden HTML corpus (tests/golden/html/) — the corpus files themselves, not the extractor.

- every truth has the seed keys plus status/layout/variants/style/encoding, and all keys of its template;
- consistent truths satisfy identities 1-4 of template.md, the ones marked inconsistent break at least one;
- every page decodes strictly with its stated encoding;
- the values printed in each page's tables are the truth's values (read with a small grid reader that knows the
  official labels; independent of extract/);
- the builder is deterministic: building into a temp dir reproduces the checked-in files byte for byte.
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
CORPUS = HERE / "html"
ROOT = HERE.parents[1]
CELLS_CSV = ROOT / "core" / "data" / "cells.csv"

SEED_KEYS = {"document", "template", "report_year", "agency", "published", "region", "units", "note", "cells"}
EXTRA_KEYS = {"status", "layout", "variants", "style", "encoding", "verified"}
STATUSES = {"ok", "not_a_report", "legacy_format", "no_tables"}
APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
APPLY_COLS = APPLICANTS + ("total",)
REVIEW = [f"{g}.{c}" for g in ("reconsideration", "suit_direct", "suit_after")
          for c in ("upheld", "corrected", "other", "pending", "total")]


def _keys() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(CELLS_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["template"], []).append(row["key"])
    return out


KEYS = _keys()
TRUTHS = sorted(CORPUS.glob("*.truth.json"))


def _load(p: Path) -> dict:
    return json.loads(p.read_text(encoding="utf-8"))


def test_corpus_size_and_mix():
    truths = [_load(p) for p in TRUTHS]
    assert len(truths) >= 35
    ok = [t for t in truths if t["status"] == "ok"]
    assert len(ok) >= 30
    assert sum(t["template"] == "2019" for t in ok) >= 10
    assert sum(t["template"] == "2021" for t in ok) >= 10
    assert {t["report_year"] for t in ok} >= set(range(2019, 2025))
    assert any(t["template"] == "2019" and t["report_year"] == 2021 for t in ok)
    assert {t["style"] for t in ok} == {"trs", "hanweb", "gkmlpt", "generic", "bare"}
    assert sum(t["encoding"] == "gbk" for t in truths) >= 3
    assert sum(t["encoding"] == "gb18030" for t in truths) >= 2
    assert sum("(wrong)" in t["note"] for t in truths) >= 1
    assert sum("no charset declaration" in t["note"] for t in truths) >= 2
    assert sum(t["template"] == "2021" and t["cells"]["apply.other.total"] is not None for t in ok) >= 2
    assert sum("Inconsistent as printed" in t["note"] for t in ok) >= 2
    negatives = {t["status"] for t in truths if t["status"] != "ok"}
    assert negatives == {"not_a_report", "legacy_format", "no_tables"}
    counts: dict[str, int] = {}
    for t in ok:
        for v in t["variants"]:
            counts[v] = counts.get(v, 0) + 1
    sys.path.insert(0, str(ROOT))
    from demoportal.reports import VARIANTS

    assert all(counts.get(v, 0) >= 2 for v in VARIANTS), counts


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.name.split(".")[0])
def test_truth_shape(path: Path):
    t = _load(path)
    assert set(t) == SEED_KEYS | EXTRA_KEYS
    assert re.fullmatch(r"\d{3}_[a-z0-9-]+\.html", t["document"])
    assert path.name == t["document"].replace(".html", ".truth.json")
    assert (CORPUS / t["document"]).exists()
    assert t["status"] in STATUSES and t["layout"] == "html"
    assert t["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["published"])
    if t["status"] != "ok":
        assert t["cells"] == {} and t["template"] is None
        return
    assert t["template"] in KEYS
    assert list(t["cells"]) == KEYS[t["template"]]
    assert len(t["cells"]) == {"2019": 198, "2021": 207}[t["template"]]
    assert t["agency"] and isinstance(t["report_year"], int)
    assert set(t["units"]) <= set(t["cells"])
    cells = t["cells"]
    for k, v in cells.items():
        if v is None:
            continue
        if k == "active.art20_8.fees.amount" or k == "active.art20_9.procurement.amount":
            assert isinstance(v, (int, float)) and v >= 0, k
        elif k.endswith(".change") and t["template"] == "2019":
            assert isinstance(v, int), k
        else:
            assert isinstance(v, int) and v >= 0, k
    nonzero = sum(1 for v in cells.values() if v not in (0, None))
    assert nonzero > len(cells) / 2, "most cells should be non-zero"
    if t["template"] == "2021":
        single = [cells[f"apply.other.{c}"] for c in APPLY_COLS]
        subs = [cells[f"apply.other.{s}.{c}"] for s in ("no_correction", "no_fee", "other") for c in APPLY_COLS]
        assert all(v is None for v in single) or all(v is None for v in subs)


def _n(v):
    return 0 if v is None else v


def identity_failures(t: dict) -> list[str]:
    cells = t["cells"]
    results = ["granted", "partial"] + [k.split(".", 1)[1].rsplit(".", 1)[0] for k in cells
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
    for g in ("reconsideration", "suit_direct", "suit_after"):
        parts = [_n(cells[f"review.{g}.{c}"]) for c in ("upheld", "corrected", "other", "pending")]
        if _n(cells[f"review.{g}.total"]) != sum(parts):
            fails.append(f"4:{g}")
    return fails


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.name.split(".")[0])
def test_identities(path: Path):
    t = _load(path)
    if t["status"] != "ok":
        return
    fails = identity_failures(t)
    if "Inconsistent as printed" in t["note"]:
        assert fails, "marked inconsistent but every identity holds"
    else:
        assert fails == []


def _page_text(path: Path, t: dict) -> str:
    return (CORPUS / t["document"]).read_bytes().decode(t["encoding"], errors="strict")


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.name.split(".")[0])
def test_decodes_with_stated_encoding(path: Path):
    t = _load(path)
    text = _page_text(path, t)
    assert "<html" in text and "</html>" in text
    declared = re.findall(r"charset=[\"']?([\w-]+)", text[:2000], flags=re.I)
    if "no charset declaration" in t["note"]:
        assert declared == []
    elif "(wrong)" in t["note"]:
        assert declared and declared[0].lower() != t["encoding"]
    else:
        assert declared
    if t["status"] == "ok" and t["agency"]:
        assert t["agency"] in text
    if t["encoding"] != "utf-8":
        with pytest.raises(UnicodeDecodeError):
            (CORPUS / t["document"]).read_bytes().decode("utf-8")


# --- printed values against truth (a small reader for this corpus only) -------------------------------------------

_FULL = str.maketrans("０１２３４５６７８９．（）：，", "0123456789.():,")
_NULLS = {"", "/", "-", "—", "--", "无", "不适用"}
_TYPO_BACK = {
    "2.他法律行政法规禁止公开": "2.其他法律行政法规禁止公开",
    "3.危及三安全一稳定": "3.危及“三安全一稳定”",
    "3.危及\"三安全一稳定\"": "3.危及“三安全一稳定”",
    "2.有现成信息需要另行制作": "2.没有现成信息需要另行制作",
    "四、结转下一年度继续办理": "四、结转下年度继续办理",
    "七、总计": "（七）总计",
}


def _labels() -> dict[tuple[str, str], str]:
    """(template, normalised printed label) -> row key prefix ("apply.granted", "active.art20_1.rules")."""
    out = {}
    with open(CELLS_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["table"] == "review":
                continue
            label = row["row_label"].replace("（未分项印出时）", "")
            prefix = row["key"].rsplit(".", 1)[0]
            out[(row["template"], _norm(label))] = prefix
    out[("2021", _norm("规范性文件"))] = "active.art20_1.normative"
    return out


def _norm(s: str) -> str:
    s = re.sub(r"\s+", "", s.replace("\xa0", ""))
    s = _TYPO_BACK.get(s, s)
    s = s.replace("只记这一情形", "只计这一情形")
    return s.translate(_FULL).replace("“", '"').replace("”", '"')


def _value(text: str):
    s = text.replace("\xa0", "").strip()
    if s in _NULLS:
        return None
    s = s.translate(_FULL).replace(",", "")
    unit = None
    for u in ("万元", "元"):
        if s.endswith(u):
            s, unit = s[: -len(u)], u
            break
    num = float(s) if "." in s else int(s)
    return num, unit


def _grids(html_text: str):
    import lxml.html

    m = re.search(r"window\._CONFIG\.DETAIL = (\{.*?\});\n", html_text)
    if m:
        html_text = json.loads(m.group(1))["content"]
    doc = lxml.html.fromstring(html_text)
    for table in doc.iter("table"):
        if table.xpath(".//table"):
            continue  # a layout table
        occ: dict[tuple[int, int], str] = {}
        for r, tr in enumerate(table.xpath("./tbody/tr|./tr")):
            c = 0
            for td in tr.xpath("./td|./th"):
                while (r, c) in occ:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                text = td.text_content()
                for dr in range(rs):
                    for dc in range(cs):
                        occ[(r + dr, c + dc)] = text if dc == 0 else "\x00span"
                c += cs
        if occ:
            nr = max(r for r, _ in occ) + 1
            nc = max(c for _, c in occ) + 1
            yield [[occ.get((r, c), "") for c in range(nc)] for r in range(nr)]


def read_printed(t: dict, html_text: str) -> dict[str, tuple]:
    labels = _labels()
    got: dict[str, tuple] = {}
    for grid in _grids(html_text):
        person_col = None
        for r, row in enumerate(grid):
            normed = [_norm(x) for x in row]
            if "自然人" in normed and person_col is None:
                person_col = normed.index("自然人")
            if normed and normed[0] == "行政复议" and r + 3 < len(grid):
                for key, cell in zip(REVIEW, grid[r + 3][:15]):
                    got[f"review.{key}"] = _value(cell)
                continue
            # the rightmost known row label of the row (a group label spanning rows sits left of it)
            hits = [(c, labels[(t["template"], x)]) for c, x in enumerate(normed) if (t["template"], x) in labels]
            for c, prefix in hits[-1:]:
                if prefix.startswith("apply."):
                    if person_col is None:
                        continue
                    for i, col in enumerate(APPLY_COLS):
                        got[f"{prefix}.{col}"] = _value(row[person_col + i])
                else:
                    cols = [k.rsplit(".", 1)[1] for k in t["cells"] if k.startswith(prefix + ".")]
                    for i, col in enumerate(cols):
                        got[f"{prefix}.{col}"] = _value(row[c + 1 + i])
    return got


@pytest.mark.parametrize("path", [p for p in TRUTHS if _load(p)["status"] == "ok"], ids=lambda p: p.name.split(".")[0])
def test_printed_values_match_truth(path: Path):
    t = _load(path)
    got = read_printed(t, _page_text(path, t))
    for key, want in t["cells"].items():
        if key not in got:
            assert want is None, f"{key} not printed but truth says {want}"
            continue
        printed = got[key]
        if want is None:
            assert printed is None, f"{key}: printed {printed}, truth null"
        else:
            assert printed is not None, f"{key}: printed a null marker, truth {want}"
            assert printed[0] == want, f"{key}: printed {printed[0]}, truth {want}"
            assert printed[1] == t["units"].get(key), f"{key}: unit {printed[1]} vs {t['units'].get(key)}"


def test_negative_documents_have_no_report_tables():
    for p in TRUTHS:
        t = _load(p)
        if t["status"] in ("no_tables", "not_a_report"):
            text = _page_text(p, t)
            body = text.split("<body", 1)[1]
            assert "本年新收政府信息公开申请数量" not in body
            assert "<table" not in body or "索" in body  # only metadata tables


def test_builder_is_deterministic(tmp_path: Path):
    out = tmp_path / "html"
    subprocess.run([sys.executable, str(HERE / "build_html.py"), "--out", str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    built = sorted(p.name for p in out.iterdir())
    checked_in = sorted(p.name for p in CORPUS.iterdir() if re.match(r"\d{3}_", p.name))
    assert built == checked_in
    for name in built:
        assert (out / name).read_bytes() == (CORPUS / name).read_bytes(), name
