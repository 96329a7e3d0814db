-- The nianbao warehouse: tables. Applied by warehouse.db.apply_schema on every build (idempotent).
-- No PRIMARY KEY / UNIQUE constraints: the loader replaces rows by delete-then-insert in one transaction and
-- keeps keys unique itself (DuckDB's index checks and bulk inserts do not mix well). Keys are noted per table.

-- key: key
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR,
    value VARCHAR
);

-- The project's copy of the MCA division list (nianbao/data/divisions.csv). key: code
CREATE TABLE IF NOT EXISTS divisions (
    code        VARCHAR,
    name        VARCHAR,
    level       VARCHAR,   -- province, city, county
    parent_code VARCHAR,
    province    VARCHAR,
    city        VARCHAR
);

-- The canonical cell keys (core/data/cells.csv). key: cell_id, or (template, cell_key)
CREATE TABLE IF NOT EXISTS cell_dictionary (
    cell_id     SMALLINT,  -- the key's row in cells.csv (core.cells.cell_ids); cells.cell_id points here
    template    VARCHAR,   -- 2019, 2021
    cell_key    VARCHAR,   -- table[.section].row.col
    table_name  VARCHAR,   -- active, apply, review
    section     VARCHAR,
    row_key     VARCHAR,
    col_key     VARCHAR,
    row_label   VARCHAR,
    col_label   VARCHAR,
    unit        VARCHAR,
    ordinal     INTEGER,   -- order of the key within its template (file order)
    row_ordinal INTEGER,   -- order of its row within the table
    value_type  VARCHAR,   -- count (a whole number: cells.value) or money (cells.amount)
    table_label     VARCHAR,  -- the table's heading as printed (二、主动公开政府信息情况 …)
    section_label   VARCHAR,  -- the sub-table or group of rows above the row (第二十条第（一）项, （三）不予公开 …)
    col_group_label VARCHAR   -- the header above the column (申请人情况 / 法人或其他组织 …)
);

-- One row per load (a crawl run) or re-extraction. key: run_id
CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR,
    kind               VARCHAR,      -- load, reextract
    started_at         TIMESTAMPTZ,  -- of the crawl (run.json)
    finished_at        TIMESTAMPTZ,
    sources            VARCHAR,
    options            JSON,
    run_json           JSON,
    extracted_file     VARCHAR,
    input_sha256       VARCHAR,      -- sha256 over the run's files and the extraction file
    loaded_at          TIMESTAMPTZ,
    load_seconds       DOUBLE,
    manifest_rows      BIGINT,
    documents          BIGINT,
    reports            BIGINT,
    reports_ok         BIGINT,
    documents_kept     BIGINT,       -- documents left as they were (fetched earlier than the warehouse's copy)
    cells              BIGINT,
    checks             BIGINT,
    agencies           BIGINT,
    portals            BIGINT,
    extractor_versions VARCHAR
);

-- key: portal_id
CREATE TABLE IF NOT EXISTS portals (
    portal_id   VARCHAR,
    name        VARCHAR,
    url         VARCHAR,
    platform    VARCHAR,
    region_code VARCHAR,
    state       VARCHAR,
    counts      JSON,
    run_id      VARCHAR,   -- last run that listed the portal
    reason      VARCHAR,   -- why, for every state but ok
    agency_id   VARCHAR    -- the portal's own government as an agency (agencies.agency_id)
);

-- Each portal's state in each crawl run: the history behind `portals` (which holds the latest). key: (run_id, portal_id)
CREATE TABLE IF NOT EXISTS portal_runs (
    run_id      VARCHAR,
    portal_id   VARCHAR,
    name        VARCHAR,
    url         VARCHAR,
    platform    VARCHAR,
    region_code VARCHAR,
    state       VARCHAR,      -- core.records.PORTAL_STATES: ok, partial, empty_column, no_column, unreachable, …
    reason      VARCHAR,      -- why, for every state but ok
    reports     BIGINT,       -- report entries the crawl found on the portal in this run
    pages       BIGINT,
    counts      JSON,         -- every counter of the crawl for the portal
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);

-- key: agency_id (= first 16 hex of sha256(region_code|normalized_name))
CREATE TABLE IF NOT EXISTS agencies (
    agency_id       VARCHAR,
    name            VARCHAR,   -- as printed
    normalized_name VARCHAR,   -- NFKC (full-width → half-width), no spaces
    region_code     VARCHAR,
    province        VARCHAR,
    city            VARCHAR,
    county          VARCHAR,
    level           VARCHAR,   -- government, department, township
    resolved_by     VARCHAR,   -- name (a division in the name, within the portal's region), name_elsewhere (a
                               -- division in the name outside the portal's region: another region's report reposted
                               -- on the portal), portal (no division named: the portal's region), none (not placed)
    region_reason   VARCHAR    -- why region_code is NULL (resolved_by none)
);

-- Every fetched file (manifest row), latest fetch per (portal, URL), with its extraction outcome.
-- key: document_id (= first 16 hex of sha256(portal_id + canonical URL))
CREATE TABLE IF NOT EXISTS documents (
    document_id       VARCHAR,
    portal_id         VARCHAR,
    url               VARCHAR,
    final_url         VARCHAR,
    role              VARCHAR,     -- home, column, list, report, attachment
    parent_url        VARCHAR,
    listing_url       VARCHAR,
    link_title        VARCHAR,
    list_date         DATE,
    report_id         VARCHAR,     -- report and attachment documents
    run_id            VARCHAR,
    fetched_at        TIMESTAMPTZ,
    http_status       INTEGER,
    content_type      VARCHAR,
    fetch_state       VARCHAR,     -- ok, not_modified, challenged, deleted, error, too_large, truncated
    fetch_error       VARCHAR,
    sha256            VARCHAR,
    size              BIGINT,
    detected_type     VARCHAR,
    status            VARCHAR,     -- extraction status, or fetch_failed / not_extracted; NULL for navigation pages
    reason            VARCHAR,
    template          VARCHAR,
    report_year       INTEGER,
    agency            VARCHAR,
    published         DATE,
    title             VARCHAR,
    format            VARCHAR,
    layout            VARCHAR,
    extractor_version VARCHAR,
    cells_count       INTEGER,     -- non-null cells the extraction found
    verified            BOOLEAN,   -- extraction's mark: every table complete, every identity holds, text = table
    unverified_reasons  VARCHAR[], -- why not verified
    ocr_confidence_min  DOUBLE,    -- OCR'd documents: lowest recognition confidence of a cell read (0-1)
    ocr_confidence_mean DOUBLE     -- OCR'd documents: mean recognition confidence (0-1)
);

-- One report page with its attachments. key: report_id (= first 16 hex of sha256(portal_id + canonical page URL));
-- report_key is its integer surrogate (kept for the life of the report), which cells and checks carry.
CREATE TABLE IF NOT EXISTS reports (
    report_key        INTEGER,
    report_id         VARCHAR,
    portal_id         VARCHAR,
    agency_id         VARCHAR,
    agency            VARCHAR,     -- as printed (or the portal's name when the report names none)
    report_year       INTEGER,
    template          VARCHAR,     -- 2019, 2021, or NULL
    published         DATE,
    status            VARCHAR,     -- ok, legacy_format, not_a_report, no_tables, unreadable, fetch_failed, not_extracted
    reason            VARCHAR,
    source_url        VARCHAR,     -- the report page
    document_url      VARCHAR,     -- the document the cells come from (page or attachment)
    document_id       VARCHAR,
    document_sha256   VARCHAR,
    title             VARCHAR,
    format            VARCHAR,
    extractor_version VARCHAR,
    cells_count       INTEGER,     -- cells stored (including NULL values)
    checks_total      INTEGER,
    checks_failed     INTEGER,
    run_id            VARCHAR,
    fetched_at        TIMESTAMPTZ, -- of the report page (or its newest document)
    verified            BOOLEAN,   -- the extraction's mark on the document the cells come from; NULL: no cells
                                   -- (status not ok) or not assessed (an extractor older than the mark)
    unverified_reasons  VARCHAR[], -- why not verified (incomplete table, broken identity, text ≠ table, OCR doubt)
    layout              VARCHAR,   -- how the tables were read (html_table, pdf_text, ocr, …)
    ocr_confidence_min  DOUBLE,    -- OCR'd reports: lowest recognition confidence of a cell read (0-1)
    ocr_confidence_mean DOUBLE,    -- OCR'd reports: mean recognition confidence (0-1)
    agency_reason       VARCHAR    -- why agency is NULL: the title names an agency that cannot be read (never the
                                   -- portal's name in its place)
);

-- The long fact table, with integer keys (read it through the views, which carry the text keys and labels).
-- key: (report_key, cell_id). report_year is a copy of the report's (kept in step by the loader), so that
-- national aggregates need no join with `reports`.
CREATE TABLE IF NOT EXISTS cells (
    report_key  INTEGER,        -- reports.report_key
    cell_id     SMALLINT,       -- cell_dictionary.cell_id (template and cell key)
    value       BIGINT,         -- a count as printed; NULL: not printed or not reported ("/", "-", "无"), or not a count
    amount      DECIMAL(38,4),  -- money cells (万元, 元: see unit), and a count printed with a fraction (a misprint
                                -- that the domain check flags); NULL otherwise
    raw_text    VARCHAR,        -- the text printed in the cell; NULL where it is exactly the digits of value
    unit        VARCHAR,        -- a unit printed with the value (元, 万元)
    report_year INTEGER
);

-- The extractor's identity checks per report. key: (report_key, rule)
CREATE TABLE IF NOT EXISTS checks (
    report_key INTEGER,
    rule       VARCHAR,
    ok         BOOLEAN,   -- NULL: could not be checked (missing values)
    detail     VARCHAR
);
