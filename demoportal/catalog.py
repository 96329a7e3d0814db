"""What the demo portal publishes: the sites, the agencies, the reports and the decoys.

The structure (which agency published which year, in which form, under which URL) is fixed; the numbers in
reports published as page HTML come from ``reports.random_truth`` with a seed derived from the portal seed, fitted
so that each agency's reports chain across years (``chain.py``). Reports published only as attachments use the
truth stored with the prebuilt files (``files/manifest.json``), so their numbers do not change with the seed.
About one department or government report in eight is published after its legal deadline (``_make_late``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field


def stable_int(*parts: object) -> int:
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big")


def rng_for(*parts: object) -> random.Random:
    return random.Random(stable_int(*parts))


@dataclass(frozen=True)
class SiteSpec:
    id: str
    name: str  # 示例县人民政府
    place: str  # 示例县
    platform: str  # trs | hanweb | gkmlpt | openness | generic | auto
    region_code: str
    province: str  # 四川省
    icp: str  # 蜀ICP备05003817号-1
    police: str  # 川公网安备 51070302000117号
    site_code: str  # 网站标识码
    style: str  # reports.render_report_html style
    encoding: str = "utf-8"


SITES: list[SiteSpec] = [
    SiteSpec("demo-trs", "示例县人民政府", "示例县", "trs", "510703", "四川省", "蜀ICP备05003817号-1",
             "川公网安备 51070302000117号", "5107030001", "trs"),
    SiteSpec("demo-trs-city", "样例市人民政府", "样例市", "trs", "430100", "湖南省", "湘ICP备05001472号",
             "湘公网安备 43010202000231号", "4301000008", "trs", encoding="gbk"),
    SiteSpec("demo-hanweb", "示范区人民政府", "示范区", "hanweb", "330106", "浙江省", "浙ICP备13012377号-2",
             "浙公网安备 33010602003145号", "3301060002", "hanweb"),
    SiteSpec("demo-gkmlpt", "演示区人民政府", "演示区", "gkmlpt", "440106", "广东省", "粤ICP备09176311号",
             "粤公网安备 44010602000198号", "4401060003", "gkmlpt"),
    SiteSpec("demo-openness", "范例县人民政府", "范例县", "openness", "340121", "安徽省", "皖ICP备05004201号-1",
             "皖公网安备 34012102000088号", "3401210001", "generic"),
    SiteSpec("demo-generic", "模拟县人民政府", "模拟县", "generic", "410122", "河南省", "豫ICP备06012789号",
             "豫公网安备 41012202000057号", "4101220004", "generic"),
    SiteSpec("demo-waf", "样板市人民政府", "样板市", "auto", "340100", "安徽省", "皖ICP备05000912号",
             "皖公网安备 34010002000019号", "3401000022", "generic"),
    SiteSpec("demo-jpaas", "试点县人民政府", "试点县", "jpaas", "620422", "甘肃省", "陇ICP备05002314号",
             "甘公网安备 62042202000112号", "6204220001", "hanweb"),
    SiteSpec("demo-xxgk", "样本县人民政府", "样本县", "xxgk", "320923", "江苏省", "苏ICP备05008801号",
             "苏公网安备 32092302000145号", "3209230002", "hanweb"),
    SiteSpec("demo-script", "仿真县人民政府", "仿真县", "script", "520402", "贵州省", "黔ICP备05003321号",
             "贵公网安备 52040202000167号", "5204020003", "generic"),
]

SITE_BY_ID = {s.id: s for s in SITES}

TITLE_FORMS = {
    "std": "{agency}{year}年政府信息公开工作年度报告",
    "guanyu": "{agency}关于{year}年政府信息公开年度工作报告",
    "niandu": "{agency}{year}年度政府信息公开工作报告",
    "image": "{agency}{year}年政府信息公开工作年度报告（图片版）",
    "chaolian": "{agency}{year}年政府信息公开工作年度报告（超链版）",
}

# List link texts that differ from the report page's own title (the crawl issue: the body decides, the title only
# ranks). Forms of real lists, or of what a crawl met on an unseen portal, never of the crawler's rules:
LIST_TITLE_FORMS = {
    # seen on an unseen county portal (issue 8); no hit in the stored research corpus
    "guanyu_de": "{agency}关于{year}年度政府信息公开工作的报告",
    # a real file name: 淮安市洪泽区人民政府2025年年报.pdf (no 政府信息公开 at all)
    "nianbao": "{agency}{year}年年报",
    # a notice whose body is the report (synthetic form: 印发/公布 notices carrying a document are common)
    "notice": "关于印发《{title}》的通知",
    # the unit's name only, as in per-year columns that list units (Beijing gknb{Y}/, {Y}n/xzjd/; inference)
    "unit": "{unit}",
}


@dataclass
class ReportPlan:
    key: str  # stable id, "<site>/<n>"
    site_id: str
    agency: str
    kind: str  # gov | dept | town
    report_year: int
    template: str  # "2019" | "2021"
    published: str  # YYYY-MM-DD
    title: str
    form: str = "html"  # html | pdf | docx | doc | xls | xlsx | image  (where the numbers are)
    attachment_key: str | None = None  # key in files/manifest.json
    attach_copy: bool = False  # html report that also links a copy of itself as attachment
    behaviour: str | None = None  # slow | fail_once | gbk_nodecl
    zero_share: float = 0.3
    consistent: bool = True
    other_single_row: bool = False
    generation: int = 1  # first generation where it appears
    changed_in: int | None = None  # generation in which the page changes
    docid: int = 0
    url_date: str = ""  # the date in CMS paths (record created): the planned date, even when published late
    late: bool = False  # published after the legal deadline (see _make_late)
    truth: dict | None = None  # filled by the portal
    extra: dict = field(default_factory=dict)
    list_title: str | None = None  # the list's link text when it is not the page's title (LIST_TITLE_FORMS)
    link_form: str | None = None  # how the report page links its attachment: None (an <a>) | script | cd_gbk | cd_rfc5987


@dataclass
class DecoyPlan:
    key: str
    site_id: str
    title: str
    kind: str  # news | guide | rule | interpretation | notice | challenge_412 | challenge_521 | deleted | not_found | robots_disallowed
    date: str
    docid: int = 0


def template_for(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def deadline(year: int, kind: str) -> dt.date | None:
    """The legal deadline (条例 第四十九条) of a report on ``year``: departments 31 January, governments 31 March of
    the next year; townships have none."""
    return {"dept": dt.date(year + 1, 1, 31), "gov": dt.date(year + 1, 3, 31)}.get(kind)


def _pub_date(r: random.Random, year: int, kind: str) -> str:
    if kind == "dept":
        d = dt.date(year + 1, 1, 1) + dt.timedelta(days=r.randint(6, 30))
    elif kind == "gov":
        d = dt.date(year + 1, 1, 1) + dt.timedelta(days=r.randint(40, 88))
    else:
        d = dt.date(year + 1, 1, 1) + dt.timedelta(days=r.randint(10, 78))
    return d.isoformat()


# Per site: (agency suffix, kind, [years...]) ; special forms keyed by (agency suffix, year)
_AGENCIES = {
    "demo-trs": [
        ("人民政府", "gov", [2019, 2020, 2021, 2022, 2023, 2024]),
        ("财政局", "dept", [2020, 2021, 2022, 2023]),
        ("教育局", "dept", [2022, 2023, 2024]),
        ("交通运输局", "dept", [2021, 2023]),
        ("发展和改革局", "dept", [2023, 2024]),
        ("卫生健康局", "dept", [2022]),
        ("城关镇人民政府", "town", [2019, 2021, 2024]),
        ("青石乡人民政府", "town", [2020, 2023]),
    ],
    "demo-trs-city": [
        ("人民政府", "gov", [2020, 2021, 2022, 2023]),
        ("统计局", "dept", [2020, 2022]),
        ("审计局", "dept", [2021, 2023]),
        ("民政局", "dept", [2019, 2021, 2024]),
        ("应急管理局", "dept", [2022, 2023]),
        ("住房和城乡建设局", "dept", [2024]),
    ],
    "demo-hanweb": [
        ("人民政府", "gov", [2021, 2022, 2023, 2024]),
        ("卫生健康局", "dept", [2021, 2022, 2023]),
        ("市场监督管理局", "dept", [2022, 2023, 2024]),
        ("人力资源和社会保障局", "dept", [2021, 2024]),
        ("翠苑街道办事处", "town", [2022, 2023]),
        ("三墩镇人民政府", "town", [2023, 2024]),
    ],
    "demo-gkmlpt": [
        ("人民政府", "gov", [2020, 2021, 2022, 2023]),
        ("交通运输局", "dept", [2021, 2022]),
        ("科技工业商务和信息化局", "dept", [2022, 2023, 2024]),
        ("城市管理和综合执法局", "dept", [2023, 2024]),
        ("石牌街道办事处", "town", [2022, 2023]),
    ],
    "demo-openness": [
        ("人民政府", "gov", [2019, 2020, 2022, 2023]),
        ("农业农村局", "dept", [2021, 2022, 2023]),
        ("自然资源和规划局", "dept", [2019, 2022]),
        ("水湖镇人民政府", "town", [2023, 2024]),
    ],
    "demo-generic": [
        ("人民政府", "gov", [2019, 2021, 2022, 2023, 2024]),
        ("公安局", "dept", [2021, 2023]),
        ("文化广电和旅游局", "dept", [2022, 2023, 2024]),
        ("退役军人事务局", "dept", [2019, 2024]),
        ("官渡镇人民政府", "town", [2021, 2022]),
    ],
    "demo-jpaas": [
        ("人民政府", "gov", [2021, 2022, 2023, 2024]),
        ("财政局", "dept", [2022, 2023, 2024]),
        ("教育局", "dept", [2023, 2024]),
        ("城关镇人民政府", "town", [2022, 2023, 2024]),
        ("河畔镇人民政府", "town", [2023, 2024]),
    ],
    "demo-xxgk": [
        ("人民政府", "gov", [2021, 2022, 2023, 2024]),
        ("财政局", "dept", [2023, 2024]),
        ("住房和城乡建设局", "dept", [2022, 2023]),
        ("沟墩镇人民政府", "town", [2023, 2024]),
    ],
    "demo-script": [
        ("人民政府", "gov", [2020, 2021, 2022, 2023, 2024]),
        ("农业农村局", "dept", [2023, 2024]),
        ("水务局", "dept", [2022, 2024]),
    ],
    "demo-waf": [],
}

# Special treatment: (site, agency suffix, year) -> settings
_SPECIAL: dict[tuple[str, str, int], dict] = {
    # demo-trs
    ("demo-trs", "人民政府", 2022): {"attach_copy": True, "attachment_key": "trs-gov-2022"},
    ("demo-trs", "城关镇人民政府", 2019): {"form": "docx", "attachment_key": "trs-cgz-2019"},
    ("demo-trs", "青石乡人民政府", 2020): {"form": "image", "attachment_key": "trs-qsx-2020", "title_form": "image"},
    ("demo-trs", "教育局", 2023): {"title_form": "guanyu"},
    ("demo-trs", "交通运输局", 2023): {"other_single_row": True},
    ("demo-trs", "人民政府", 2024): {"other_single_row": True},
    ("demo-trs", "卫生健康局", 2022): {"consistent": False},
    ("demo-trs", "财政局", 2021): {"form": "pdf", "attachment_key": "trs-czj-2021", "link_form": "script"},
    ("demo-trs", "教育局", 2024): {"list_title_form": "nianbao"},
    ("demo-trs", "发展和改革局", 2024): {"list_title_form": "unit"},
    # demo-trs-city (GBK)
    ("demo-trs-city", "统计局", 2020): {"form": "xls", "attachment_key": "city-tjj-2020"},
    ("demo-trs-city", "审计局", 2023): {"form": "pdf", "attachment_key": "city-sjj-2023"},
    ("demo-trs-city", "民政局", 2021): {"behaviour": "gbk_nodecl"},
    ("demo-trs-city", "应急管理局", 2022): {"title_form": "niandu"},
    ("demo-trs-city", "住房和城乡建设局", 2024): {"list_title_form": "notice"},
    ("demo-trs-city", "民政局", 2024): {"list_title_form": "guanyu_de"},
    # demo-hanweb
    ("demo-hanweb", "卫生健康局", 2022): {"form": "docx", "attachment_key": "hw-wjj-2022"},
    ("demo-hanweb", "人力资源和社会保障局", 2024): {"form": "xlsx", "attachment_key": "hw-rsj-2024"},
    ("demo-hanweb", "市场监督管理局", 2023): {"behaviour": "slow"},
    ("demo-hanweb", "卫生健康局", 2021): {"template": "2019"},  # a 2021 report printed with 2019 columns
    ("demo-hanweb", "人民政府", 2023): {"changed_in": 2},
    ("demo-hanweb", "三墩镇人民政府", 2024): {"other_single_row": True},
    # demo-gkmlpt
    ("demo-gkmlpt", "交通运输局", 2021): {"form": "pdf", "attachment_key": "gd-jtj-2021"},
    ("demo-gkmlpt", "科技工业商务和信息化局", 2023): {"form": "docx", "attachment_key": "gd-kgs-2023"},
    ("demo-gkmlpt", "人民政府", 2022): {"title_form": "chaolian"},
    # demo-openness
    ("demo-openness", "农业农村局", 2022): {"form": "doc", "attachment_key": "ah-nyj-2022"},
    ("demo-openness", "自然资源和规划局", 2019): {"form": "pdf", "attachment_key": "ah-zrj-2019"},
    ("demo-openness", "人民政府", 2022): {"behaviour": "fail_once"},
    ("demo-openness", "水湖镇人民政府", 2024): {"other_single_row": True},
    # demo-generic
    ("demo-generic", "人民政府", 2023): {"form": "pdf", "attachment_key": "hn-gov-2023", "link_form": "cd_rfc5987"},
    ("demo-generic", "文化广电和旅游局", 2022): {"form": "xlsx", "attachment_key": "hn-wgl-2022", "link_form": "cd_gbk"},
    ("demo-generic", "公安局", 2021): {"title_form": "niandu"},
}

# Reports that only exist from generation 2 on (nightly increment test).
_GENERATION2 = [("demo-trs", "青石乡人民政府", "town", 2024)]


def attachment_specs() -> list[dict]:
    """What the builder makes: one entry per attachment-only (or copied) report."""
    out = []
    for plan in plan_reports(generation=2):
        if plan.attachment_key:
            out.append({"key": plan.attachment_key, "site_id": plan.site_id, "agency": plan.agency,
                        "report_year": plan.report_year, "template": plan.template, "published": plan.published,
                        "title": plan.title, "form": "pdf" if plan.attach_copy else plan.form,
                        "zero_share": plan.zero_share, "kind": plan.kind, "consistent": plan.consistent,
                        "other_single_row": plan.other_single_row})
    return out


def _make_plan(site_id: str, idx: int, suffix: str, kind: str, year: int, generation: int = 1) -> ReportPlan:
    spec = SITE_BY_ID[site_id]
    agency = spec.name if kind == "gov" else f"{spec.place}{suffix}"
    r = rng_for("plan", site_id, suffix, year)
    sp = _SPECIAL.get((site_id, suffix, year), {})
    tform = sp.get("title_form", "std")
    title = TITLE_FORMS[tform].format(agency=agency, year=year)
    zero_share = {"gov": 0.25, "dept": 0.45, "town": 0.7}[kind]
    plan = ReportPlan(
        key=f"{site_id}/{idx:02d}", site_id=site_id, agency=agency, kind=kind, report_year=year,
        template=sp.get("template", template_for(year)), published=_pub_date(r, year, kind), title=title,
        form=sp.get("form", "html"), attachment_key=sp.get("attachment_key"), attach_copy=sp.get("attach_copy", False),
        behaviour=sp.get("behaviour"), zero_share=zero_share, consistent=sp.get("consistent", True),
        other_single_row=sp.get("other_single_row", False), generation=generation, changed_in=sp.get("changed_in"),
        docid=r.randint(1_000_000, 9_999_999),
    )
    if site_id == "demo-gkmlpt":
        plan.docid = r.randint(2_100_000, 4_899_999)
    if sp.get("list_title_form"):
        plan.list_title = LIST_TITLE_FORMS[sp["list_title_form"]].format(agency=agency, year=year, title=title,
                                                                       unit=suffix)
    plan.link_form = sp.get("link_form")
    plan.url_date = plan.published
    return plan


# Late reports: about one in eight department and government reports appears after its deadline, a few days to a
# few months late. Only reports whose numbers are in the page: an attachment-only report prints its date in the
# prebuilt file. The URL keeps the planned date (the CMS dates a path by when the record was created), so the set
# of URLs does not depend on who is late. Nothing is published after the generation-1 snapshot (2025-04-20).
LATE_SHARE = 0.13
_LATEST = dt.date(2025, 4, 12)


def _make_late(plans: list[ReportPlan]) -> None:
    due = [p for p in plans if p.kind in ("dept", "gov")]
    eligible = [p for p in due if not p.attachment_key and p.generation == 1]
    n = round(LATE_SHARE * len(due))
    eligible.sort(key=lambda p: stable_int("late", p.site_id, p.agency, p.report_year))
    for p in eligible[:n]:
        r = rng_for("late-days", p.site_id, p.agency, p.report_year)
        lo, hi = r.choice([(2, 14), (2, 14), (15, 45), (15, 45), (46, 75), (76, 120)])
        d = deadline(p.report_year, p.kind) + dt.timedelta(days=r.randint(lo, hi))
        if d > _LATEST:
            d = _LATEST - dt.timedelta(days=r.randint(0, 5))
        p.published = d.isoformat()
        p.late = True


def plan_reports(generation: int = 1) -> list[ReportPlan]:
    out: list[ReportPlan] = []
    for spec in SITES:
        idx = 0
        for suffix, kind, years in _AGENCIES[spec.id]:
            for year in years:
                idx += 1
                out.append(_make_plan(spec.id, idx, suffix, kind, year))
        if generation >= 2:
            for site_id, suffix, kind, year in _GENERATION2:
                if site_id == spec.id:
                    idx += 1
                    p = _make_plan(site_id, idx, suffix, kind, year, generation=2)
                    # published after the generation-1 snapshot
                    p.published = p.url_date = f"{year + 1}-04-18"
                    out.append(p)
    _make_late(out)
    return out


def plan_decoys() -> list[DecoyPlan]:
    """Decoys mixed into 年报 lists (site builders place them; some kinds are placed by one site only)."""
    out: list[DecoyPlan] = []

    def add(site_id: str, title: str, kind: str, date: str) -> None:
        r = rng_for("decoy", site_id, title)
        docid = r.randint(2_100_000, 4_899_999) if site_id == "demo-gkmlpt" else r.randint(1_000_000, 9_999_999)
        out.append(DecoyPlan(f"{site_id}/d{len([d for d in out if d.site_id == site_id]) + 1:02d}", site_id, title,
                             kind, date, docid))

    add("demo-trs", "示例县召开2022年度政务公开工作推进会", "news", "2022-04-12")
    add("demo-trs", "示例县人民政府信息公开指南", "guide", "2021-06-30")
    add("demo-trs", "示例县政府信息公开保密审查制度", "rule", "2020-11-05")
    add("demo-trs", "图解：示例县人民政府2021年政府信息公开工作年度报告", "interpretation", "2022-03-29")
    add("demo-trs", "示例县龙泉镇人民政府2021年政府信息公开工作年度报告", "challenge_412", "2022-02-16")
    add("demo-trs", "示例县住房和城乡建设局2020年政府信息公开工作年度报告", "deleted", "2021-01-22")

    add("demo-trs-city", "样例市人民政府办公室关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "notice",
        "2023-12-20")
    add("demo-trs-city", "样例市政府信息公开申请办理制度", "rule", "2019-12-02")
    add("demo-trs-city", "样例市水利局2021年政府信息公开工作年度报告", "not_found", "2022-01-27")
    add("demo-trs-city", "样例市应急管理局2023年政府信息公开工作年度报告（预览）", "robots_disallowed", "2024-01-19")

    add("demo-hanweb", "示范区人民政府信息公开指南（2023年修订）", "guide", "2023-03-01")
    add("demo-hanweb", "示范区举办政务公开日活动", "news", "2023-05-16")
    add("demo-hanweb", "示范区2022年政府信息公开工作年度报告政策解读", "interpretation", "2023-03-30")

    add("demo-gkmlpt", "演示区人民政府信息公开指南", "guide", "2022-07-01")
    add("demo-gkmlpt", "演示区政务公开工作要点任务分解表", "notice", "2023-06-08")

    add("demo-openness", "范例县政府信息公开工作制度汇编", "rule", "2021-08-10")
    add("demo-openness", "范例县人民政府办公室关于开展政务公开标准化规范化建设的通知", "news", "2022-09-02")

    add("demo-jpaas", "试点县人民政府信息公开指南", "guide", "2022-05-10")
    add("demo-jpaas", "试点县2024年政务公开工作要点", "notice", "2024-04-02")

    add("demo-xxgk", "样本县人民政府信息公开指南", "guide", "2021-03-15")
    add("demo-xxgk", "样本县人民政府办公室关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", "notice",
        "2024-12-18")

    add("demo-script", "仿真县政府信息公开工作考核办法", "rule", "2020-06-01")

    add("demo-generic", "模拟县退役军人事务局2022年政府信息公开工作年度报告", "challenge_521", "2023-01-29")
    add("demo-generic", "模拟县政府信息公开指南", "guide", "2020-05-12")
    add("demo-generic", "模拟县2023年政务公开工作总结", "news", "2023-12-28")
    return out
