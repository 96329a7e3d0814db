"""The journalist's table: one row per agency and year, the headline figures as columns, Chinese headers.

    agency_year_query(con) -> str          # SQL over the warehouse's views; English column names
    agency_year_columns(con) -> list[Column]  # every column, in order, with its Chinese header and meaning

The row that speaks for an agency in a year is the one the view `agency_year_reports` picks (the same rule as
`agency_year_values` and `national_totals`: the latest published, then the fewest failed checks, then the most
cells), so the figures here add up to the national totals. Agency-years whose reports were found but could not be
read (scans, broken files) get a row too, with empty figures and the reason, so that nothing found is dropped
silently. A figure is empty when the report does not print it, never 0; a figure that is a sum of several rows of the
form is empty when any of its rows is not printed (a partial sum would understate it).

`verified` / `unverified_reasons` are read from `reports` when the warehouse has them (the warehouse engineer's
columns); on an older warehouse the two columns are absent from the file and the README says so.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Headline:
    """A headline figure: the cell keys it adds up (every one printed, or empty) and how to name it."""

    name: str  # English column name (Parquet, the warehouse)
    header: str  # Chinese column header (CSV, workbook)
    keys: tuple[str, ...]  # cell keys summed; one key = the cell itself
    zh: str  # what it is, in Chinese
    en: str  # what it is, in English
    money: bool = False


# The twelve headline figures of issue 14, with the rows of the national format they come from (core/data/cells.csv).
DENIED_ROWS = ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
               "process_info", "enforcement_file", "query_matter")
HEADLINES: tuple[Headline, ...] = (
    Headline("applications_new", "新收申请", ("apply.new.total",),
             "一、本年新收政府信息公开申请数量（总计列）", "applications received this year (table 3, row 一, column 总计)"),
    Headline("applications_carried_over", "上年结转", ("apply.carried_over.total",),
             "二、上年结转政府信息公开申请数量（总计列）", "applications carried over from the previous year (row 二, 总计)"),
    Headline("granted", "予以公开", ("apply.granted.total",),
             "三（一）予以公开（总计列）", "answered: information disclosed in full (row 三（一）, 总计)"),
    Headline("partly_granted", "部分公开", ("apply.partial.total",),
             "三（二）部分公开（总计列）", "answered: partly disclosed (row 三（二）, 总计)"),
    Headline("denied", "不予公开", tuple(f"apply.denied.{r}.total" for r in DENIED_ROWS),
             "三（三）不予公开：第1至8项之和（总计列）；任何一项未填报则为空",
             "answered: refused — the sum of the eight 不予公开 rows (总计); empty when any of them is not printed"),
    Headline("applications_answered", "总计", ("apply.total.total",),
             "三（七）总计：本年办理结果合计（总计列）", "all applications answered this year (row 三（七）总计, 总计)"),
    Headline("carried_forward", "结转下年", ("apply.carried_forward.total",),
             "四、结转下年度继续办理（总计列）", "applications carried forward to next year (row 四, 总计)"),
    Headline("reconsideration_total", "行政复议总计", ("review.reconsideration.total",),
             "表四 行政复议：总计", "administrative reconsiderations about disclosure (table 4, 总计)"),
    Headline("litigation_total", "行政诉讼总计", ("review.suit_direct.total", "review.suit_after.total"),
             "表四 行政诉讼：未经复议直接起诉总计 + 复议后起诉总计；任何一项未填报则为空",
             "administrative lawsuits: direct suits + suits after reconsideration (totals); empty when either is "
             "not printed"),
    Headline("licensing_decisions", "行政许可", ("active.art20_5.licensing.decisions",),
             "表二 第二十条第（五）项 行政许可：（本年）处理决定数量",
             "administrative licences decided this year (table 2, art. 20(5))"),
    Headline("penalty_decisions", "行政处罚", ("active.art20_6.penalty.decisions",),
             "表二 第二十条第（六）项 行政处罚：（本年）处理决定数量",
             "administrative penalties decided this year (table 2, art. 20(6))"),
    Headline("fees_amount", "收费金额（万元）", ("active.art20_8.fees.amount",),
             "表二 第二十条第（八）项 行政事业性收费：本年收费金额，单位万元（印为“元”的已折算）；仅2021版表式有此项",
             "administrative fees collected, in 10,000 yuan (figures printed in 元 converted); 2021 form only",
             money=True),
)


@dataclass(frozen=True)
class Column:
    name: str  # English (Parquet)
    header: str  # Chinese (CSV, workbook)
    zh: str
    en: str
    kind: str = "text"  # text, id, int, number, date, bool


ID_PREFIXES = {"report_id": "R", "agency_id": "A", "document_id": "D", "prev_report_id": "R", "duplicate_of": "R"}

LEVELS_ZH = {"government": "政府", "department": "部门", "township": "乡镇（街道）"}


def view_columns(con, view: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()}


def number_sql(con, view: str = "agency_year_values", alias: str = "c") -> str:
    """A cell's number in `view`: `value`, or — where the warehouse keeps money apart in `amount` (DECIMAL) —
    the amount when there is one. Built on the views only, so it reads both warehouse layouts."""
    if "amount" in view_columns(con, view):
        return f"coalesce(CAST({alias}.amount AS DOUBLE), CAST({alias}.value AS DOUBLE))"
    return f"{alias}.value"


def has_verified(con) -> bool:
    """Does this warehouse carry the extractor's verdict per report (`reports.verified`)?"""
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'reports' "
        "AND table_schema = 'main' AND table_catalog = current_database()").fetchall()}
    return "verified" in cols


def _reasons_sql(con, expr: str) -> str:
    """unverified_reasons as one string, whatever its type (a list, JSON or text)."""
    ctype = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'reports' "
        "AND column_name = 'unverified_reasons' AND table_catalog = current_database()").fetchone()
    if ctype is None:
        return "NULL"
    if ctype[0].endswith("[]"):
        return f"nullif(array_to_string({expr}, '; '), '')"
    return f"nullif(CAST({expr} AS VARCHAR), '')"


def agency_year_columns(con) -> list[Column]:
    cols = [
        Column("agency_id", "机构编号", "机构的编号（CSV和工作簿中带前缀A，以免Excel把它当成数字）",
               "agency id (prefixed with A in the CSV and workbook, so Excel keeps it as text)", "id"),
        Column("agency", "机构名称", "机构名称", "agency name"),
        Column("province", "省份", "所在省级行政区", "province"),
        Column("city", "城市", "所在地级行政区（省级机构为空）", "prefecture-level city (empty for provincial agencies)"),
        Column("county", "区县", "所在县级行政区（省、市级机构为空）", "county-level division (empty above county level)"),
        Column("region_code", "行政区划代码", "民政部行政区划代码（6位）", "MCA division code (6 digits)", "code"),
        Column("level", "层级", "政府、部门或乡镇（街道）", "government, department or township"),
        Column("report_year", "年度", "报告所属年度", "the year the report covers", "int"),
        Column("template", "表式", "报告使用的表式：2019版或2021版", "the form the report uses: 2019 or 2021"),
    ]
    for h in HEADLINES:
        cols.append(Column(h.name, h.header, h.zh, h.en, "number" if h.money else "int"))
    cols += [
        Column("published", "发布日期", "报告的发布日期（网页或落款日期）", "publication date (page or signature)", "date"),
        Column("deadline", "法定期限", "《条例》第四十九条：部门1月31日前，县级以上政府3月31日前；乡镇无全国统一期限",
               "legal deadline: departments 31 January, governments 31 March of the next year; townships none", "date"),
        Column("on_time", "按时发布", "是否在法定期限内发布（无期限或日期不明为空）",
               "published by the legal deadline (empty when there is no deadline or no date)", "bool"),
        Column("days_late", "逾期天数", "超过法定期限的天数", "days after the deadline", "int"),
    ]
    if has_verified(con):
        cols += [
            Column("verified", "已核验", "“是”：表格完整、全部恒等式成立、正文与表格一致；“否”见未核验原因",
                   "yes: every table complete, every identity holds, text and table agree; no: see the reasons",
                   "bool"),
            Column("unverified_reasons", "未核验原因", "未能核验的原因", "why the figures are not verified"),
        ]
    cols += [
        Column("checks_failed", "未通过校验数", "表格恒等式中不成立的条数（0为全部成立或无法校验）",
               "identities of the form that do not hold", "int"),
        Column("failed_rules", "未通过的校验", "不成立的恒等式名称", "the identities that do not hold"),
        Column("status", "提取状态", "ok：已读出表格；no_tables、unreadable 等：找到报告但未能读出数字",
               "ok: tables read; no_tables, unreadable, …: the report was found but its figures could not be read"),
        Column("reason", "原因", "未能读出数字的原因", "why the figures could not be read"),
        Column("reports_in_year", "同年报告数",
               "本机构本年度找到的报告份数（同一报告发布在多个网站时大于1；本表只取其中一份，不会重复计数）",
               "reports found for this agency and year (more than 1 when one report is posted on several sites; "
               "this table keeps one, so sums do not double-count)", "int"),
        Column("report_id", "报告编号", "所取报告的编号（带前缀R）", "id of the report used (prefixed with R)", "id"),
        Column("title", "标题", "报告标题", "report title"),
        Column("source_url", "来源网页", "报告所在网页", "the report's page on the portal"),
        Column("document_url", "数据来源文件", "数字所在的文件（网页本身或附件）",
               "the document the figures come from (the page or its attachment)"),
        Column("portal_id", "门户", "发现报告的门户网站编号", "the portal the report was found on"),
    ]
    return cols


def _headline_sql(h: Headline, num: str) -> str:
    keys = ", ".join(f"'{k}'" for k in h.keys)
    if len(h.keys) == 1:
        expr = f"max({num}) FILTER (WHERE c.cell_key = {keys})"
        if h.money:  # the form's unit is 万元; a figure printed with 元 is converted
            expr = (f"max(CASE WHEN c.unit = '元' THEN {num} / 10000 ELSE {num} END) "
                    f"FILTER (WHERE c.cell_key = {keys})")
        return f"{expr} AS {h.name}"
    cond = f"c.cell_key IN ({keys})"
    return (f"CASE WHEN count(*) FILTER (WHERE {cond}) > 0 "
            f"AND count({num}) FILTER (WHERE {cond}) = count(*) FILTER (WHERE {cond}) "
            f"THEN sum({num}) FILTER (WHERE {cond}) END AS {h.name}")


def agency_year_query(con) -> str:
    """One row per agency and year; English column names in the order of agency_year_columns(con)."""
    verified = has_verified(con)
    keys = sorted({k for h in HEADLINES for k in h.keys})
    key_list = ", ".join(f"'{k}'" for k in keys)
    num = number_sql(con, "agency_year_values", "c")
    figures = ",\n               ".join(_headline_sql(h, num) for h in HEADLINES)
    verified_cols = ""
    if verified:
        verified_cols = f"p.verified, {_reasons_sql(con, 'p.unverified_reasons')} AS unverified_reasons,"
    headline_names = ", ".join(f"v.{h.name}" for h in HEADLINES)
    return f"""
        WITH picked AS (
            SELECT report_id, reports_in_year FROM agency_year_reports
            UNION ALL
            -- agency-years with reports found but none read: the latest of them, figures empty
            SELECT report_id, reports_in_year FROM (
                SELECT r.report_id, r.agency_id, r.report_year,
                       count(*) OVER (PARTITION BY r.agency_id, r.report_year) AS reports_in_year,
                       row_number() OVER (PARTITION BY r.agency_id, r.report_year
                                          ORDER BY r.published DESC NULLS LAST, r.fetched_at DESC NULLS LAST,
                                                   r.report_id) AS rn
                FROM reports r
                WHERE r.status NOT IN ('ok', 'not_a_report') AND r.report_year IS NOT NULL
                  AND r.agency_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM reports o WHERE o.status = 'ok' AND o.agency_id = r.agency_id
                                  AND o.report_year = r.report_year)
            ) WHERE rn = 1
        ), v AS (  -- the speaking reports' cells (agency_year_values holds exactly those)
            SELECT c.report_id,
               {figures}
            FROM agency_year_values c
            WHERE c.cell_key IN ({key_list})
            GROUP BY c.report_id
        ), ck AS (
            SELECT report_id, replace(failed_rules, ';', '; ') AS failed_rules
            FROM quality WHERE report_id IN (SELECT report_id FROM picked)
        )
        SELECT p.agency_id, a.name AS agency, a.province, a.city, a.county, a.region_code,
               a.level,
               p.report_year, p.template,
               {headline_names},
               p.published, t.deadline, t.on_time, t.days_late,
               {verified_cols}
               p.checks_failed, ck.failed_rules, p.status, p.reason,
               CAST(k.reports_in_year AS INTEGER) AS reports_in_year,
               p.report_id, p.title, p.source_url, p.document_url, p.portal_id
        FROM picked k
        JOIN reports p ON p.report_id = k.report_id
        LEFT JOIN agencies a ON a.agency_id = p.agency_id
        LEFT JOIN v ON v.report_id = p.report_id
        LEFT JOIN ck ON ck.report_id = p.report_id
        LEFT JOIN timeliness t ON t.report_id = p.report_id
        ORDER BY a.region_code NULLS LAST, CASE a.level WHEN 'government' THEN 0 WHEN 'department' THEN 1 ELSE 2 END,
                 a.name, p.agency_id, p.report_year
    """
