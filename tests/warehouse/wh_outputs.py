"""A small synthetic world for the outputs (snapshot files, workbook, site): duplicates across two portals,
several years and provinces, a scanned report, a report that prints 元, a row that is not printed, and a report
whose 16-hex id Excel would read as a number."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.warehouse.wh_synth import RunBuilder, make_result

TC = "https://www.tongchuan.example.gov.cn"
DZ = "https://www.dazhou.example.gov.cn"
GZ = "https://www.thnet.example.gov.cn"

ECON = "达州市通川区经济和信息化局"
TC_GOV = "达州市通川区人民政府"
EDU = "广州市天河区教育局"
TH_GOV = "广州市天河区人民政府"

NUMERIC_ID = re.compile(r"^[0-9]+(e[0-9]+)?$")  # what Excel reads as a number (12345…, 1234e567…)


@dataclass
class Expected:
    """What the world holds, from the inputs (not from the warehouse): the figures each agency-year must show."""

    # (agency, year) → the result dict that must speak for it (None: found but not read)
    speakers: dict[tuple[str, int], dict[str, Any] | None] = field(default_factory=dict)
    # (agency, year) → the url of the report that speaks
    urls: dict[tuple[str, int], str] = field(default_factory=dict)
    duplicate_urls: list[str] = field(default_factory=list)  # reports that must not count
    numeric_url: str = ""
    fees_in_yuan: tuple[str, int] = (ECON, 2022)
    denied_gap: tuple[str, int] = (ECON, 2022)  # a 不予公开 row not printed


def numeric_looking_url(portal: str, base: str) -> str:
    """A report URL on `portal` whose report id is all digits or digits-e-digits (found by trying)."""
    from warehouse.ingest import report_id_for

    for i in range(200_000):
        url = f"{base}/nb/n{i}.html"
        if NUMERIC_ID.match(report_id_for(portal, url)):
            return url
    raise AssertionError("no numeric-looking id found")


def _result(**kw) -> dict[str, Any]:
    verified = kw.pop("verified", None)
    reasons = kw.pop("reasons", [])
    r = make_result(**kw)
    if r["status"] == "ok":
        r["verified"] = True if verified is None else verified
        r["unverified_reasons"] = reasons
    return r


def build_outputs_world(data_dir, run_id: str = "20260301T000000Z") -> tuple[RunBuilder, Expected]:
    b = RunBuilder(data_dir, run_id)
    e = Expected()
    b.portal("tc", "达州市通川区人民政府", "511702", TC + "/")
    b.portal("dz", "达州市人民政府", "511700", DZ + "/")
    b.portal("gz", "广州市天河区人民政府", "440106", GZ + "/")
    for pid, base in (("tc", TC), ("dz", DZ), ("gz", GZ)):
        b.fetch(pid, base + "/", "home")
        b.fetch(pid, base + "/nb/", "list")

    # 1. one report posted on two sites: the county's copy (earlier) and the city's (later: it speaks)
    early = _result(template="2021", year=2021, agency=ECON, seed=11, published="2022-01-12")
    late = _result(template="2021", year=2021, agency=ECON, seed=12, published="2022-01-20",
                   verified=False, reasons=["apply_flow.total"])
    b.fetch("tc", TC + "/nb/econ-2021.html", "report", result=early)
    b.fetch("dz", DZ + "/nb/tc-econ-2021.html", "report", result=late)
    e.speakers[(ECON, 2021)], e.urls[(ECON, 2021)] = late, DZ + "/nb/tc-econ-2021.html"
    e.duplicate_urls.append(TC + "/nb/econ-2021.html")

    # 2. the next year: fees printed in 元, one 不予公开 row not printed
    r = _result(template="2021", year=2022, agency=ECON, seed=13, published="2023-02-10")
    r["cells"]["active.art20_8.fees.amount"] = 24850
    r["raw"]["active.art20_8.fees.amount"] = "24850元"
    r["units"] = {"active.art20_8.fees.amount": "元"}
    r["cells"]["apply.denied.third_party.total"] = None
    r["raw"]["apply.denied.third_party.total"] = "/"
    b.fetch("tc", TC + "/nb/econ-2022.html", "report", result=r)
    e.speakers[(ECON, 2022)], e.urls[(ECON, 2022)] = r, TC + "/nb/econ-2022.html"

    # 3. the county government, 2019 form, late
    r = _result(template="2019", year=2020, agency=TC_GOV, seed=14, published="2021-04-15")
    b.fetch("tc", TC + "/nb/gov-2020.html", "report", result=r)
    e.speakers[(TC_GOV, 2020)], e.urls[(TC_GOV, 2020)] = r, TC + "/nb/gov-2020.html"

    # 4. another province: a department with a 2021 report and a 2022 scan that could not be read
    r = _result(template="2021", year=2021, agency=EDU, seed=15, published="2022-01-25")
    b.fetch("gz", GZ + "/nb/edu-2021.html", "report", result=r)
    e.speakers[(EDU, 2021)], e.urls[(EDU, 2021)] = r, GZ + "/nb/edu-2021.html"
    scan = make_result(status="no_tables", reason="the tables are images", year=2022, agency=EDU,
                       published="2023-01-10")
    b.fetch("gz", GZ + "/nb/edu-2022.html", "report", result=scan)
    e.speakers[(EDU, 2022)], e.urls[(EDU, 2022)] = None, GZ + "/nb/edu-2022.html"

    # 5. a report whose id looks like a number to Excel
    url = numeric_looking_url("gz", GZ)
    r = _result(template="2021", year=2022, agency=TH_GOV, seed=16, published="2023-03-20")
    b.fetch("gz", url, "report", result=r)
    e.speakers[(TH_GOV, 2022)], e.urls[(TH_GOV, 2022)] = r, url
    e.numeric_url = url
    return b, e
