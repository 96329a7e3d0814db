"""What the site shows, read from the published warehouse (read-only). Every figure comes from the views the
snapshot uses: `agency_year_reports` for the report that speaks for an agency and year, the agency_year query for
the headline figures, `coverage` and `timeliness` as they are. Per-agency data is streamed in agency order, so a
national warehouse is read once without holding its cells in memory."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..agency_year import HEADLINES, agency_year_query, has_verified, number_sql

TREND = ("applications_new", "granted", "partly_granted", "denied", "applications_answered")
TABLE_NAMES = {"active": "表二 主动公开政府信息情况",
               "apply": "表三 收到和处理政府信息公开申请情况（总计列）",
               "apply_by_applicant": "表三 按申请人类型：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
               "review": "表四 政府信息公开行政复议、行政诉讼情况"}


# the label-only rows of table 3 (the national form; cells.csv keys only the rows that hold cells)
GROUP_LABELS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理", "other": "（六）其他处理"}


def rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params) if params else con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def stream(con, sql: str, batch: int = 20_000) -> Iterator[dict[str, Any]]:
    """Rows of a query as dicts, read in Arrow batches (constant memory), on a cursor of its own (a connection has
    one open result at a time, and the site reads three streams side by side)."""
    cur = con.cursor()
    try:
        for b in cur.sql(sql).to_arrow_reader(batch):
            yield from b.to_pylist()
    finally:
        cur.close()


def grouped(it: Iterator[dict[str, Any]], key: str) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Consecutive rows with the same `key` (the query is sorted by it)."""
    current, bucket = object(), []
    for r in it:
        if r[key] != current:
            if bucket:
                yield current, bucket
            current, bucket = r[key], []
        bucket.append(r)
    if bucket:
        yield current, bucket


@dataclass
class Overview:
    verified_known: bool
    counts: dict[str, Any]
    trend: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    timeliness: list[dict[str, Any]]
    breaks: list[dict[str, Any]]
    breaks_total: int
    runs: list[dict[str, Any]]


def overview(con, breaks_limit: int = 300) -> Overview:
    verified = has_verified(con)
    ay = f"({agency_year_query(con)})"
    counts = rows(con, f"""
        SELECT (SELECT count(*) FROM agencies) AS agencies,
               (SELECT count(*) FROM reports WHERE status <> 'not_a_report') AS reports_found,
               (SELECT count(*) FROM reports WHERE status = 'ok') AS reports_read,
               (SELECT count(*) FROM agency_year_reports) AS agency_years_read,
               (SELECT count(*) FROM {ay} WHERE status <> 'ok') AS agency_years_unread,
               (SELECT count(*) FROM agency_year_reports WHERE checks_failed > 0) AS agency_years_failing,
               (SELECT count(*) FROM agency_year_reports WHERE reports_in_year > 1) AS agency_years_duplicated,
               {"(SELECT count(*) FILTER (WHERE verified) FROM agency_year_reports)" if verified else "NULL"}
                   AS agency_years_verified,
               (SELECT min(report_year) FROM agency_year_reports) AS first_year,
               (SELECT max(report_year) FROM agency_year_reports) AS last_year
    """)[0]
    sums = ", ".join(f"sum({n}) AS {n}, count({n}) AS {n}_n" for n in TREND)
    trend = rows(con, f"""
        SELECT report_year, count(*) FILTER (WHERE status = 'ok') AS reports, {sums}
        FROM {ay} GROUP BY report_year ORDER BY report_year""")
    coverage = rows(con, """
        WITH cov AS (
            SELECT coalesce(province, '省份不明') AS province, count(DISTINCT agency_id) AS agencies,
                   count(*) AS expected, count(*) FILTER (WHERE found > 0) AS found,
                   count(*) FILTER (WHERE extracted > 0) AS extracted,
                   count(*) FILTER (WHERE found > 0 AND extracted = 0) AS unread,
                   count(*) FILTER (WHERE found = 0) AS missing
            FROM coverage GROUP BY ALL
        ), gov AS (
            SELECT province, count(*) AS governments
            FROM divisions WHERE level IN ('province', 'city', 'county') GROUP BY province
        ), govfound AS (
            SELECT a.province, count(DISTINCT a.region_code) AS governments_found
            FROM agencies a JOIN reports r ON r.agency_id = a.agency_id
            WHERE a.level = 'government' AND r.status <> 'not_a_report'
            GROUP BY a.province
        )
        SELECT cov.*, gov.governments, coalesce(govfound.governments_found, 0) AS governments_found,
               d.code AS region_code
        FROM cov LEFT JOIN gov ON gov.province = cov.province
        LEFT JOIN govfound ON govfound.province = cov.province
        LEFT JOIN divisions d ON d.level = 'province' AND d.name = cov.province
        ORDER BY cov.province""")
    timeliness = rows(con, f"""
        SELECT report_year, count(*) FILTER (WHERE on_time) AS on_time,
               count(*) FILTER (WHERE NOT on_time) AS late,
               count(*) FILTER (WHERE on_time IS NULL AND deadline IS NULL) AS no_deadline,
               count(*) FILTER (WHERE on_time IS NULL AND deadline IS NOT NULL) AS no_date
        FROM {ay} GROUP BY report_year ORDER BY report_year""")
    for t in timeliness:
        judged = t["on_time"] + t["late"]
        t["share"] = None if judged == 0 else t["on_time"] / judged
    cond = "checks_failed > 0" + (" OR verified = false" if verified else "")
    extra = ", unverified_reasons" if verified else ""
    breaks_sql = f"""
        SELECT agency_id, agency, province, city, county, report_year, checks_failed, failed_rules{extra},
               {"verified" if verified else "NULL AS verified"}
        FROM {ay} WHERE status = 'ok' AND ({cond})"""
    breaks_total = con.execute(f"SELECT count(*) FROM ({breaks_sql})").fetchone()[0]
    breaks = rows(con, f"{breaks_sql} ORDER BY report_year DESC, province, agency LIMIT {int(breaks_limit)}")
    runs = rows(con, "SELECT run_id, kind, loaded_at FROM runs ORDER BY loaded_at DESC LIMIT 5")
    return Overview(verified, counts, trend, coverage, timeliness, breaks, breaks_total, runs)


@dataclass
class Region:
    code: str
    name: str
    level: str  # province, city, county
    parent: str | None
    children: list[str] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    path: list[tuple[str, str]] = field(default_factory=list)  # (code, name) from the province down


def regions(con) -> dict[str, Region]:
    """Every division that has an agency, with its ancestors; children and agencies filled in."""
    divs = {r["code"]: r for r in rows(con, "SELECT code, name, level, parent_code FROM divisions")}
    agencies = rows(con, "SELECT agency_id, name, region_code, level FROM agencies ORDER BY region_code, "
                         "CASE level WHEN 'government' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, name, agency_id")
    out: dict[str, Region] = {}

    def ensure(code: str) -> Region | None:
        if code in out:
            return out[code]
        d = divs.get(code)
        if d is None:
            return None
        parent = d["parent_code"] or None
        reg = Region(code, d["name"], d["level"], parent)
        out[code] = reg
        if parent:
            p = ensure(parent)
            if p is not None:
                p.children.append(code)
                reg.path = p.path + [(p.code, p.name)]
        return reg

    for a in agencies:
        if a["region_code"]:
            reg = ensure(a["region_code"])
            if reg is not None:
                reg.agencies.append(a)
    for reg in out.values():
        reg.children.sort()
    return out


def agency_years(con) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(agency_id, its agency_year rows by year)."""
    sql = f"SELECT * FROM ({agency_year_query(con)}) ORDER BY agency_id, report_year"
    return grouped(stream(con, sql), "agency_id")


def agency_reports(con) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(agency_id, every report found for it, with `counted` and its stored documents)."""
    sql = """
        WITH docs AS (
            SELECT report_id, list({'url': url, 'role': role, 'sha256': sha256, 'type': detected_type,
                                     'size': size} ORDER BY role DESC, url) AS documents
            FROM documents WHERE report_id IS NOT NULL AND sha256 IS NOT NULL GROUP BY report_id
        )
        SELECT r.agency_id, r.report_id, r.report_year, r.status, r.reason, r.published, r.title,
               r.source_url, r.document_url, r.portal_id, r.checks_failed,
               (r.report_id IN (SELECT report_id FROM agency_year_reports)) AS counted,
               coalesce(docs.documents, []) AS documents
        FROM reports r LEFT JOIN docs ON docs.report_id = r.report_id
        WHERE r.agency_id IS NOT NULL AND r.status <> 'not_a_report'
        ORDER BY r.agency_id, r.report_year NULLS LAST, counted DESC, r.published DESC NULLS LAST, r.report_id"""
    return grouped(stream(con, sql), "agency_id")


def agency_cells(con) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(agency_id, the cells of its counted reports: report_year, cell_key, value, raw_text, unit)."""
    sql = f"""SELECT agency_id, report_year, template, cell_key, {number_sql(con, 'agency_year_values', 'v')} AS value,
                     raw_text, unit
              FROM agency_year_values v ORDER BY agency_id, report_year, cell_key"""
    return grouped(stream(con, sql), "agency_id")


def dictionary(con) -> list[dict[str, Any]]:
    """One row per cell key (both templates merged), in the order of the form: table, then the 2021 order, with
    keys only the 2019 form has after their table's 2021 rows."""
    out = rows(con, """
        SELECT cell_key, any_value(table_name) AS table_name, any_value(row_key) AS row_key,
               coalesce(max(row_label) FILTER (WHERE template = '2021'), max(row_label)) AS row_label,
               coalesce(max(col_label) FILTER (WHERE template = '2021'), max(col_label)) AS col_label,
               coalesce(max(unit) FILTER (WHERE template = '2021'), max(unit)) AS unit,
               string_agg(template, ',' ORDER BY template) AS templates,
               coalesce(min(ordinal) FILTER (WHERE template = '2021'), 10000 + min(ordinal)) AS ord
        FROM cell_dictionary GROUP BY cell_key
        ORDER BY CASE any_value(table_name) WHEN 'active' THEN 0 WHEN 'apply' THEN 1 ELSE 2 END, ord""")
    for d in out:  # sub-rows carry the label-only row they belong to ("1.属于国家秘密" under "（三）不予公开")
        group = (d["row_key"] or "").split(".")[0] if "." in (d["row_key"] or "") else None
        d["group"] = GROUP_LABELS.get(group) if d["table_name"] == "apply" else None
    return out


def headline_labels() -> dict[str, str]:
    return {h.name: h.header for h in HEADLINES}
