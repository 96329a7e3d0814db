-- The nianbao warehouse: views for analysts. Applied by warehouse.db.apply_schema on every build.
-- Every view is written so that it is fast in any DuckDB client with its default settings (1.x and 2.x): grouping
-- happens on the fact table's own columns before a join, never above a join with `reports` (DuckDB 2.0's
-- partial_aggregate_pushdown turns such a group-by into one group per report and cell).
-- Descriptions of every view and column, in Chinese and English: sql/comments.csv (COMMENT ON, shown by DBeaver and
-- `SELECT * FROM duckdb_columns()`).

-- One row per report (a report page with its attachments), with its agency's region and level.
CREATE OR REPLACE VIEW report_overview AS
SELECT r.report_id, r.agency_id, r.agency, a.normalized_name, a.level, a.region_code, a.province, a.city, a.county,
       r.portal_id, r.report_year, r.template, r.published, r.status, r.reason, r.verified, r.unverified_reasons,
       r.source_url, r.document_url, r.document_sha256, r.title, r.format, r.layout, r.extractor_version,
       r.cells_count, r.checks_total, r.checks_failed, r.ocr_confidence_min, r.ocr_confidence_mean,
       r.run_id, r.fetched_at, a.resolved_by, a.region_reason, r.agency_reason, p.region_code AS portal_region_code
FROM reports r
LEFT JOIN agencies a ON a.agency_id = r.agency_id
LEFT JOIN portals p ON p.portal_id = r.portal_id;

-- One row per REPORT and cell key: every cell of every extracted report. An agency's report posted on two sites
-- (its own and the county's list) appears twice here; agency_year_values keeps one per agency and year.
CREATE OR REPLACE VIEW cell_values AS
SELECT r.report_id, r.agency_id, r.agency, a.region_code, r.report_year, d.template,
       d.cell_key, c.value, c.amount, coalesce(c.raw_text, CAST(c.value AS VARCHAR)) AS raw_text, c.unit,
       r.verified, r.unverified_reasons
FROM cells c
JOIN reports r ON r.report_key = c.report_key
JOIN cell_dictionary d ON d.cell_id = c.cell_id
LEFT JOIN agencies a ON a.agency_id = r.agency_id;

-- cell_values with the labels printed in the national format: table, section (sub-table or group of rows),
-- row and column, in the order of the printed table.
CREATE OR REPLACE VIEW cells_labeled AS
SELECT r.report_id, r.agency_id, r.agency, a.region_code, a.province, a.city, a.county, r.report_year,
       d.template, d.cell_key, d.table_name, d.table_label, d.section, d.section_label, d.row_key, d.row_label,
       d.col_key, d.col_group_label, d.col_label, d.unit AS template_unit, d.ordinal, d.row_ordinal,
       c.value, c.amount, coalesce(c.raw_text, CAST(c.value AS VARCHAR)) AS raw_text, c.unit,
       r.verified, r.unverified_reasons, r.source_url
FROM cells c
JOIN reports r ON r.report_key = c.report_key
JOIN cell_dictionary d ON d.cell_id = c.cell_id
LEFT JOIN agencies a ON a.agency_id = r.agency_id;

-- The identity checks of every report, with the report's text keys.
CREATE OR REPLACE VIEW check_results AS
SELECT r.report_id, r.agency_id, r.agency, r.report_year, r.template, k.rule, k.ok, k.detail, r.verified
FROM checks k
JOIN reports r ON r.report_key = k.report_key;

-- One row per AGENCY AND YEAR: the one extracted report that speaks for it (an agency's report is often posted
-- twice: on its own site and in the county's list). The latest published wins, then a verified one, then the
-- fewest failed checks, then the most cells. reports_in_year counts the extracted reports of that agency and year.
CREATE OR REPLACE VIEW agency_year_reports AS
SELECT r.*,
       count(*) OVER (PARTITION BY r.agency_id, r.report_year) AS reports_in_year
FROM reports r
WHERE r.status = 'ok' AND r.report_year IS NOT NULL AND r.agency_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY r.agency_id, r.report_year
    ORDER BY r.published DESC NULLS LAST, r.verified DESC NULLS LAST, r.checks_failed ASC NULLS LAST,
             r.cells_count DESC NULLS LAST, r.report_id
) = 1;

-- One row per agency, year and cell key: the values of agency_year_reports (de-duplicated: sums over this view
-- count each agency once per year).
CREATE OR REPLACE VIEW agency_year_values AS
SELECT p.agency_id, p.agency, a.region_code, a.level, p.report_year, d.template,
       d.cell_key, c.value, c.amount, c.unit, coalesce(c.raw_text, CAST(c.value AS VARCHAR)) AS raw_text,
       p.report_id, p.reports_in_year, p.verified, p.unverified_reasons
FROM agency_year_reports p
JOIN cells c ON c.report_key = p.report_key
JOIN cell_dictionary d ON d.cell_id = c.cell_id
LEFT JOIN agencies a ON a.agency_id = p.agency_id;

-- National totals per year, template and cell key over agency_year_values (one report per agency and year), and
-- the same over verified reports only. Aggregated on cells' own columns first (a semi-join picks the reports),
-- then labelled.
CREATE OR REPLACE VIEW national_totals AS
SELECT t.report_year, d.template, d.cell_key, d.table_label, d.row_label, d.col_label,
       t.total, t.total_amount, t.reports_with_value, t.reports,
       t.total_verified, t.total_amount_verified, t.reports_verified
FROM (
    SELECT c.report_year, c.cell_id,
           CAST(sum(c.value) AS BIGINT) AS total,
           sum(c.amount) AS total_amount,
           count(c.value) + count(c.amount) AS reports_with_value,
           count(*) AS reports,
           CAST(sum(c.value) FILTER (WHERE c.report_key IN (SELECT report_key FROM reports WHERE verified))
                AS BIGINT) AS total_verified,
           sum(c.amount) FILTER (WHERE c.report_key IN (SELECT report_key FROM reports WHERE verified))
               AS total_amount_verified,
           count(*) FILTER (WHERE c.report_key IN (SELECT report_key FROM reports WHERE verified))
               AS reports_verified
    FROM cells c
    WHERE c.report_key IN (SELECT report_key FROM agency_year_reports)
    GROUP BY c.report_year, c.cell_id
) t
JOIN cell_dictionary d ON d.cell_id = t.cell_id;

-- The applications table (三), wide: one row per report and printed row, the seven columns as BIGINT.
CREATE OR REPLACE VIEW apply_wide AS
SELECT r.report_id, r.agency_id, r.agency, r.report_year, r.template, w.row_key, w.row_label, w.row_ordinal,
       w.person, w.business, w.research, w.nonprofit, w.legal, w.other_org, w.total, r.verified
FROM (
    SELECT c.report_key, d.row_key, d.row_label, d.row_ordinal,
           max(c.value) FILTER (WHERE d.col_key = 'person')    AS person,
           max(c.value) FILTER (WHERE d.col_key = 'business')  AS business,
           max(c.value) FILTER (WHERE d.col_key = 'research')  AS research,
           max(c.value) FILTER (WHERE d.col_key = 'nonprofit') AS nonprofit,
           max(c.value) FILTER (WHERE d.col_key = 'legal')     AS legal,
           max(c.value) FILTER (WHERE d.col_key = 'other_org') AS other_org,
           max(c.value) FILTER (WHERE d.col_key = 'total')     AS total
    FROM cells c
    JOIN cell_dictionary d ON d.cell_id = c.cell_id
    WHERE d.table_name = 'apply'
    GROUP BY c.report_key, d.row_key, d.row_label, d.row_ordinal
) w
JOIN reports r ON r.report_key = w.report_key;

-- Data quality, one row per report.
CREATE OR REPLACE VIEW quality AS
WITH ck AS (
    SELECT report_key,
           count(*) AS checks_total,
           count(*) FILTER (WHERE ok = false) AS checks_failed,
           count(*) FILTER (WHERE ok IS NULL) AS checks_unknown,
           string_agg(rule, ';' ORDER BY rule) FILTER (WHERE ok = false) AS failed_rules
    FROM checks GROUP BY report_key
), ce AS (
    SELECT report_key,
           count(*) AS cells_total,
           count(*) FILTER (WHERE value IS NOT NULL OR amount IS NOT NULL) AS cells_filled,
           count(*) FILTER (WHERE value IS NULL AND amount IS NULL AND coalesce(raw_text, '') <> '')
               AS cells_not_reported
    FROM cells GROUP BY report_key
)
SELECT r.report_id, r.agency, a.region_code, a.level, r.report_year, r.template, r.status, r.reason,
       coalesce(ce.cells_total, 0) AS cells_total,
       coalesce(ce.cells_filled, 0) AS cells_filled,
       coalesce(ce.cells_not_reported, 0) AS cells_not_reported,
       coalesce(ck.checks_total, 0) AS checks_total,
       coalesce(ck.checks_failed, 0) AS checks_failed,
       coalesce(ck.checks_unknown, 0) AS checks_unknown,
       ck.failed_rules,
       CASE WHEN r.status <> 'ok' THEN 'not_extracted'
            WHEN coalesce(ck.checks_failed, 0) > 0 THEN 'checks_failed'
            WHEN coalesce(ce.cells_filled, 0) = 0 THEN 'empty'
            ELSE 'ok' END AS quality,
       r.verified, r.unverified_reasons, r.layout, r.ocr_confidence_min, r.ocr_confidence_mean,
       r.source_url, r.document_url
FROM reports r
LEFT JOIN agencies a ON a.agency_id = r.agency_id
LEFT JOIN ck ON ck.report_key = r.report_key
LEFT JOIN ce ON ce.report_key = r.report_key;

-- Timeliness (条例 第四十九条): departments publish by 31 January of the next year, governments at county level
-- and above by 31 March; townships have no national deadline.
CREATE OR REPLACE VIEW timeliness AS
SELECT *,
       CASE WHEN deadline IS NULL OR published IS NULL THEN NULL ELSE published <= deadline END AS on_time,
       CASE WHEN deadline IS NULL OR published IS NULL THEN NULL
            ELSE greatest(date_diff('day', deadline, published), 0) END AS days_late
FROM (
    SELECT r.report_id, r.agency_id, r.agency, a.level, a.region_code, dv.level AS region_level,
           r.report_year, r.status, r.published,
           CASE WHEN a.level = 'department' THEN 'department: 31 January'
                WHEN a.level = 'government' THEN 'government: 31 March'
                ELSE 'township: none' END AS deadline_rule,
           CASE WHEN r.report_year IS NULL THEN NULL
                WHEN a.level = 'department' THEN make_date(r.report_year + 1, 1, 31)
                WHEN a.level = 'government' THEN make_date(r.report_year + 1, 3, 31)
           END AS deadline
    FROM reports r
    LEFT JOIN agencies a ON a.agency_id = r.agency_id
    LEFT JOIN divisions dv ON dv.code = a.region_code
    WHERE r.status <> 'not_a_report' AND r.report_year IS NOT NULL
);

-- Each portal's state in its latest crawl (from portal_runs).
CREATE OR REPLACE VIEW portal_latest AS
SELECT * FROM portal_runs
QUALIFY row_number() OVER (PARTITION BY portal_id ORDER BY run_id DESC) = 1;

-- One row per portal and crawl run: its count of reports against its previous run's. sharp_drop flags a count that
-- fell to half or less (from at least 4 reports) or to zero (from any): a portal whose page changed under the
-- crawler, or a run that read less than before. Same rule as warehouse.portal_history.is_sharp_drop.
CREATE OR REPLACE VIEW portal_report_changes AS
SELECT run_id, portal_id, name, state, reason, reports, prev_run_id, prev_state, prev_reports,
       reports - prev_reports AS change,
       coalesce(prev_reports > 0 AND (reports = 0 OR (prev_reports >= 4 AND reports * 2 <= prev_reports)), false)
           AS sharp_drop
FROM (
    SELECT run_id, portal_id, name, state, reason, reports,
           lag(run_id) OVER w AS prev_run_id, lag(state) OVER w AS prev_state, lag(reports) OVER w AS prev_reports
    FROM portal_runs
    WINDOW w AS (PARTITION BY portal_id ORDER BY run_id)
);

-- Coverage, one row per agency and year: every agency seen (in a report, or as a portal's own government) × every
-- year seen: reports found and extracted; for a missing report, missing_reason tells "not published" (a portal of
-- the agency was read in full in its latest crawl and the report is not there) from what the crawl could not see:
-- portal_not_crawled, or portal_<state> (blocked, unreachable, challenged, no_column, empty_column, partial,
-- interrupted) of the agency's portals in their latest crawl.
CREATE OR REPLACE VIEW coverage AS
WITH found AS (
    SELECT agency_id, report_year, count(*) AS found, count(*) FILTER (WHERE status = 'ok') AS extracted,
           count(*) FILTER (WHERE status = 'ok' AND verified) AS verified,
           string_agg(DISTINCT status, ',' ORDER BY status) AS statuses
    FROM reports
    WHERE status <> 'not_a_report' AND report_year IS NOT NULL AND agency_id IS NOT NULL
    GROUP BY agency_id, report_year
), agency_portals AS (
    SELECT DISTINCT agency_id, portal_id FROM reports
    WHERE agency_id IS NOT NULL AND portal_id IS NOT NULL AND status <> 'not_a_report'
    UNION
    SELECT agency_id, portal_id FROM portals WHERE agency_id IS NOT NULL
), portal_state AS (
    SELECT ap.agency_id,
           count(*) FILTER (WHERE pl.state = 'ok') AS portals_ok,
           string_agg(DISTINCT coalesce(pl.state, 'not_crawled'), '+' ORDER BY coalesce(pl.state, 'not_crawled'))
               AS portal_states,
           string_agg(DISTINCT ap.portal_id || ': ' || pl.reason, '; ' ORDER BY ap.portal_id || ': ' || pl.reason)
               FILTER (WHERE pl.state <> 'ok' AND pl.reason IS NOT NULL) AS portal_reasons,
           string_agg(DISTINCT ap.portal_id, ',' ORDER BY ap.portal_id) AS portals
    FROM agency_portals ap
    LEFT JOIN portal_latest pl ON pl.portal_id = ap.portal_id
    GROUP BY ap.agency_id
), bounds AS (
    SELECT coalesce((SELECT min(report_year) FROM found),
                    (SELECT min(year(started_at)) - 1 FROM portal_runs)) AS lo,
           coalesce((SELECT max(report_year) FROM found),
                    (SELECT max(year(started_at)) - 1 FROM portal_runs)) AS hi
), years AS (
    SELECT unnest(range(lo, hi + 1)) AS report_year FROM bounds WHERE lo IS NOT NULL
), ags AS (
    SELECT agency_id FROM found UNION SELECT agency_id FROM agency_portals
)
SELECT ags.agency_id, a.name AS agency, a.region_code, a.province, a.city, a.county, a.level,
       CAST(years.report_year AS INTEGER) AS report_year,
       coalesce(f.found, 0) AS found,
       coalesce(f.extracted, 0) AS extracted,
       coalesce(f.verified, 0) AS verified,
       coalesce(f.found, 0) = 0 AS missing,
       CASE WHEN coalesce(f.extracted, 0) > 0 THEN 'extracted'
            WHEN coalesce(f.found, 0) > 0 THEN 'found'
            ELSE 'missing' END AS coverage,
       CASE WHEN coalesce(f.found, 0) > 0 THEN NULL
            WHEN coalesce(ps.portals_ok, 0) > 0 THEN 'not_published'
            WHEN ps.portal_states IS NULL THEN 'portal_not_crawled'
            ELSE 'portal_' || ps.portal_states END AS missing_reason,
       f.statuses, ps.portals, ps.portal_states, ps.portal_reasons
FROM ags
CROSS JOIN years
LEFT JOIN found f ON f.agency_id = ags.agency_id AND f.report_year = years.report_year
LEFT JOIN portal_state ps ON ps.agency_id = ags.agency_id
LEFT JOIN agencies a ON a.agency_id = ags.agency_id;

-- Year-on-year change per agency and cell key (agencies with a report in both years), over agency_year_values.
CREATE OR REPLACE VIEW year_on_year AS
SELECT cur.agency_id, cur.agency, cur.region_code, cur.cell_key, cur.report_year, cur.template,
       cur.value, prev.value AS prev_value,
       cur.value - prev.value AS change,
       CASE WHEN prev.value IS NOT NULL AND prev.value <> 0 THEN (cur.value - prev.value) / abs(prev.value) END
           AS pct_change,
       cur.amount, prev.amount AS prev_amount,
       cur.report_id, prev.report_id AS prev_report_id, cur.verified, prev.verified AS prev_verified
FROM agency_year_values cur
JOIN agency_year_values prev
  ON prev.agency_id = cur.agency_id AND prev.cell_key = cur.cell_key AND prev.report_year = cur.report_year - 1;

-- Identities across years (soft checks): 上年结转 this year = 结转下年度 last year, per column; and for the 2021
-- template 现行有效件数(y) = 现行有效件数(y-1) + 本年制发件数(y) - 本年废止件数(y).
CREATE OR REPLACE VIEW cross_year_checks AS
WITH af AS (
    SELECT agency_id, agency, region_code, report_year, report_id, verified, split_part(cell_key, '.', 3) AS row_key,
           max(value) FILTER (WHERE cell_key LIKE '%.issued')   AS issued,
           max(value) FILTER (WHERE cell_key LIKE '%.repealed') AS repealed,
           max(value) FILTER (WHERE cell_key LIKE '%.in_force') AS in_force
    FROM agency_year_values
    WHERE template = '2021' AND cell_key LIKE 'active.art20_1.%'
    GROUP BY agency_id, agency, region_code, report_year, report_id, verified, split_part(cell_key, '.', 3)
)
SELECT cur.agency_id, cur.agency, cur.region_code, cur.report_year,
       'carried_over.' || split_part(cur.cell_key, '.', 3) AS rule,
       cur.value AS value, prev.value AS expected,
       CASE WHEN cur.value IS NULL OR prev.value IS NULL THEN NULL ELSE cur.value = prev.value END AS ok,
       cur.report_id, prev.report_id AS prev_report_id, cur.verified, prev.verified AS prev_verified
FROM agency_year_values cur
JOIN agency_year_values prev
  ON prev.agency_id = cur.agency_id AND prev.report_year = cur.report_year - 1
 AND prev.cell_key = 'apply.carried_forward.' || split_part(cur.cell_key, '.', 3)
WHERE cur.cell_key LIKE 'apply.carried_over.%'
UNION ALL
SELECT cur.agency_id, cur.agency, cur.region_code, cur.report_year,
       'in_force.' || cur.row_key AS rule,
       cur.in_force AS value, prev.in_force + cur.issued - cur.repealed AS expected,
       CASE WHEN cur.in_force IS NULL OR prev.in_force IS NULL OR cur.issued IS NULL OR cur.repealed IS NULL THEN NULL
            ELSE cur.in_force = prev.in_force + cur.issued - cur.repealed END AS ok,
       cur.report_id, prev.report_id AS prev_report_id, cur.verified, prev.verified AS prev_verified
FROM af cur
JOIN af prev ON prev.agency_id = cur.agency_id AND prev.report_year = cur.report_year - 1 AND prev.row_key = cur.row_key;
