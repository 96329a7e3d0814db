#!/usr/bin/env python
"""Build the golden HTML corpus (tests/golden/html/) from demoportal.reports, deterministically.

Usage: python tests/golden/build_html.py [--out DIR]

Every document is NNN_short-name.html with NNN_short-name.truth.json next to it. The truth files follow the seed
truth format (shared/fixtures/seeds/) plus "status", "layout", "variants", "style" and "encoding" (the real
encoding of the bytes; the declared charset, when it differs or is missing, is told in "note").
The corpus is an independent test of the extractor: it must not be built from, or tuned to, extract/.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demoportal import reports as R  # noqa: E402
from tests.golden.expected_verified import expected_verified, html_text  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "html"

# Short names for the variants, to keep the table readable.
A, B, C, D = "one_big_table", "layout_table", "nested_p_span", "br_in_headers"
E, F, G, H = "label_typos", "header_cuts", "halfwidth", "value_styles"
I, J, K, L = "no_body_title", "signature_date", "meta_date", "sidebar_decoys"
M, N, O, P, Q = "gkmlpt_detail", "title_split", "rowspan_colspan", "no_date", "rare_chars"

# (number, short name, style, template, report year, agency, variants, encoding, declared charset, options)
# options: inconsistent, other_single_row, zero_share
DOCS: list[tuple] = [
    (1, "trs-district-finance", "trs", "2021", 2021, "达州市通川区财政局", [O, K, L], "utf-8", "utf-8", {}),
    (2, "trs-district-government", "trs", "2021", 2022, "金华市金东区人民政府", [O, C, D, B], "gbk", "gbk", {}),
    (3, "hanweb-district-education", "hanweb", "2021", 2021, "杭州市西湖区教育局", [K, E, F], "utf-8", "utf-8", {}),
    (4, "gkmlpt-detail-health", "gkmlpt", "2021", 2022, "佛山市南海区卫生健康局", [M, O, H], "utf-8", "utf-8", {}),
    (5, "generic-county-city-resources", "generic", "2019", 2019, "同江市自然资源局", [J, G], "gbk", None, {}),
    (6, "bare-county-government", "bare", "2019", 2020, "朝阳县人民政府", [C, O, D, N], "utf-8", "utf-8", {}),
    (7, "trs-inconsistent-economy", "trs", "2019", 2020, "达州市通川区经济和信息化局", [A, O, H, L], "utf-8", "utf-8",
     {"inconsistent": True}),
    (8, "hanweb-township-single-other", "hanweb", "2021", 2023, "武义县桃溪镇人民政府", [I, K, C, Q], "gb18030",
     "gb18030", {"other_single_row": True}),
    (9, "gkmlpt-detail-county-single-other", "gkmlpt", "2021", 2024, "韶关市乳源瑶族自治县人民政府", [M, N, E],
     "utf-8", "utf-8", {"other_single_row": True}),
    (10, "generic-wrong-charset-market", "generic", "2021", 2021, "泉州市丰泽区市场监督管理局", [A, B, G, F], "gbk",
     "utf-8", {}),
    (11, "bare-county-city-housing", "bare", "2021", 2022, "同江市住房和城乡建设局", [J, E, D, H], "utf-8", None, {}),
    (12, "trs-2021-with-2019-columns", "trs", "2019", 2021, "朝阳市双塔区司法局", [O, I, L], "utf-8", "utf-8", {}),
    (13, "hanweb-district-agriculture", "hanweb", "2019", 2019, "合肥市蜀山区农业农村局", [C, H, B, O], "gb18030", None,
     {}),
    (14, "trs-district-government-split", "trs", "2019", 2020, "佳木斯市前进区人民政府", [N, G, K], "utf-8", "utf-8", {}),
    (15, "generic-district-emergency", "generic", "2021", 2023, "哈尔滨市南岗区应急管理局", [L, D, F, O], "utf-8",
     "utf-8", {}),
    (16, "gkmlpt-static-transport", "gkmlpt", "2019", 2020, "广州市天河区交通运输局", [O, H, K, C], "utf-8", "utf-8",
     {}),
    (17, "trs-inconsistent-civil-affairs", "trs", "2021", 2024, "福州市鼓楼区民政局", [A, E, J], "utf-8", "utf-8",
     {"inconsistent": True}),
    (18, "bare-township-no-date", "bare", "2019", 2019, "宣汉县南坝镇人民政府", [P, C, G], "gbk", "gbk", {}),
    (19, "hanweb-subdistrict", "hanweb", "2021", 2022, "杭州市余杭区良渚街道办事处", [O, N, D, L], "utf-8", "utf-8", {}),
    (20, "trs-township-gb2312-declared", "trs", "2021", 2021, "金华市金东区孝顺镇人民政府", [B, C, H, F, O], "gbk",
     "gb2312", {}),
    (21, "generic-no-title-education", "generic", "2019", 2020, "晋江市教育局", [I, A, J], "utf-8", "utf-8", {}),
    (22, "gkmlpt-detail-development", "gkmlpt", "2021", 2023, "佛山市顺德区发展和改革局", [M, G, E, H], "utf-8", "utf-8",
     {}),
    (23, "bare-county-agriculture", "bare", "2021", 2021, "朝阳县农业农村局", [A, C, D, O, K], "utf-8", "utf-8", {}),
    (24, "trs-district-finance-typos", "trs", "2019", 2019, "哈尔滨市道里区财政局", [E, F, G, D], "utf-8", "utf-8", {}),
    (25, "hanweb-district-health", "hanweb", "2019", 2020, "福州市台江区卫生健康局", [A, H, N], "gb18030", "gb18030",
     {}),
    (26, "generic-district-government-no-date", "generic", "2021", 2022, "合肥市包河区人民政府", [P, O, B], "utf-8",
     "utf-8", {}),
    (27, "trs-district-single-other", "trs", "2021", 2023, "杭州市临平区人力资源和社会保障局", [O, I, H, Q], "utf-8",
     "utf-8", {"other_single_row": True}),
    (28, "bare-county-city-market", "bare", "2021", 2024, "义乌市市场监督管理局", [N, J, F], "utf-8", "utf-8", {}),
    (29, "gkmlpt-static-district", "gkmlpt", "2019", 2019, "韶关市武江区人民政府", [E, G, O, L], "utf-8", "utf-8", {}),
    (30, "hanweb-county-government", "hanweb", "2021", 2024, "武义县人民政府", [L, C, G, O, K], "utf-8", None, {}),
    (31, "generic-inconsistent-culture", "generic", "2019", 2020, "宣汉县文化广播电视和旅游局", [H, D, F, B], "utf-8",
     "utf-8", {"inconsistent": True}),
    (32, "trs-ethnic-township", "trs", "2021", 2022, "同江市街津口赫哲族乡人民政府", [E, H, N, B], "utf-8", "utf-8", {}),
]

# (number, short name, kind, style, agency, year, encoding, declared charset)
SPECIALS: list[tuple] = [
    (33, "not-report-disclosure-guide", "guide", "trs", "同江市自然资源局", 2021, "utf-8", "utf-8"),
    (34, "not-report-news", "news", "generic", "达州市通川区人民政府", 2021, "utf-8", "utf-8"),
    (35, "legacy-2017-report", "legacy", "hanweb", "金华市金东区财政局", 2017, "gbk", "gbk"),
    (36, "no-tables-attachment-only", "attachment_only", "generic", "福州市鼓楼区教育局", 2022, "utf-8", "utf-8"),
    (37, "no-tables-images-only", "images_only", "trs", "哈尔滨市南岗区司法局", 2020, "utf-8", "utf-8"),
]

TRUTH_KEYS = ("document", "status", "template", "report_year", "agency", "published", "region", "units", "note",
              "layout", "style", "encoding", "variants", "verified", "cells")


def _encoding_note(encoding: str, declared: str | None) -> str:
    enc = encoding.upper()
    if declared is None:
        return f"Bytes are {enc} with no charset declaration."
    if declared.lower() == encoding.lower():
        return ""
    if declared.lower() == "gb2312" and encoding.lower() == "gbk":
        return "Bytes are GBK; the page declares charset=gb2312 (a subset, as older portals do)."
    return f"Bytes are {enc}; the page declares charset={declared} (wrong)."


def _variant_notes(variants: list[str], truth: dict) -> list[str]:
    notes = []
    if I in variants:
        notes.append("The body has no title: the agency is named only in the page metadata (<title>, breadcrumb, "
                     "发布机构, 信息索引号).")
    if J in variants:
        notes.append("No page date is printed; published is the signature date.")
    if K in variants:
        notes.append("published is the page date (发布日期 / PubDate); the signature line shows an earlier drafting "
                     "date or none.")
    if P in variants:
        notes.append("No date is printed anywhere.")
    if M in variants:
        notes.append("The body is only inside window._CONFIG.DETAIL (JSON string).")
    if H in variants:
        nulls = sum(1 for k, v in truth["cells"].items() if v is None and not k.startswith("apply.other."))
        notes.append(f"{nulls} cells print a not-reported marker (null).")
    if truth["template"] == "2019" and truth["report_year"] >= 2021:
        notes.append("A 2021 report printed with the 2019 columns.")
    if truth["template"] == "2021" and truth["cells"].get("apply.other.total") is not None:
        notes.append("（六）其他处理 is printed as one row without its three sub-rows.")
    return notes


def _dump(truth: dict) -> bytes:
    ordered = {k: truth.get(k) for k in TRUTH_KEYS}
    return (json.dumps(ordered, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build(out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    coverage: Counter[str] = Counter()
    for n, name, style, template, year, agency, variants, encoding, declared, opts in DOCS:
        seed = 1000 + n
        truth = R.random_truth(template, year, agency, seed, consistent=not opts.get("inconsistent", False),
                               other_single_row=opts.get("other_single_row", False),
                               zero_share=opts.get("zero_share", 0.3))
        html, truth = R.make_document(truth, style, seed, **{v: True for v in variants})
        stem = f"{n:03d}_{name}"
        data = R.encode_page(html, encoding, declared)
        notes = [truth["note"]] + _variant_notes(variants, truth)
        enc_note = _encoding_note(encoding, declared)
        if enc_note:
            notes.append(enc_note)
        if opts.get("inconsistent"):
            assert R.check_identities(truth), stem
        else:
            assert not R.check_identities(truth), (stem, R.check_identities(truth))
        truth.update(document=f"{stem}.html", status="ok", layout="html", encoding=encoding,
                     note=" ".join(x for x in notes if x))
        truth["verified"] = expected_verified(truth, html_text(html))
        coverage.update(truth["variants"])
        (out / f"{stem}.html").write_bytes(data)
        (out / f"{stem}.truth.json").write_bytes(_dump(truth))
        written += [f"{stem}.html", f"{stem}.truth.json"]
    for n, name, kind, style, agency, year, encoding, declared in SPECIALS:
        html, truth = R.render_special_page(kind, agency, year, seed=2000 + n, style=style)
        stem = f"{n:03d}_{name}"
        notes = {
            "guide": "A 政府信息公开指南 page, not a report.",
            "news": "A news article that mentions the annual report, not a report.",
            "legacy": "A pre-2019 report (2017) with an old-style statistics table and free text: legacy format.",
            "attachment_only": "The page only says 详见附件 and links a PDF: no tables on the page.",
            "images_only": "The report is only images (<img>), title with （图片版）: no tables on the page.",
        }[kind]
        enc_note = _encoding_note(encoding, declared)
        truth.update(document=f"{stem}.html", layout="html", style=style, encoding=encoding, variants=[],
                     note=" ".join(x for x in (notes, enc_note) if x))
        truth["verified"] = expected_verified(truth, html_text(html))
        (out / f"{stem}.html").write_bytes(R.encode_page(html, encoding, declared))
        (out / f"{stem}.truth.json").write_bytes(_dump(truth))
        written += [f"{stem}.html", f"{stem}.truth.json"]
    thin = [v for v in R.VARIANTS if coverage[v] < 2]
    assert not thin, f"variants used fewer than twice: {thin}"
    pattern = re.compile(r"^\d{3}_.+\.(html|truth\.json)$")
    for stale in sorted(out.iterdir()):
        if pattern.match(stale.name) and stale.name not in written:
            stale.unlink()
    return written


def coverage_table() -> dict[str, list[int]]:
    table: dict[str, list[int]] = {v: [] for v in R.VARIANTS}
    for n, *_rest in DOCS:
        for v in _rest[5]:
            table[v].append(n)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--coverage", action="store_true", help="print variant -> document numbers and exit")
    args = ap.parse_args(argv)
    if args.coverage:
        for v, nums in coverage_table().items():
            print(f"{v:16s} {', '.join(f'{n:03d}' for n in nums)}")
        return 0
    files = build(args.out)
    print(f"wrote {len(files) // 2} documents to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
