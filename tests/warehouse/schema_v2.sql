-- The warehouse schema 2 (text keys in cells and checks, DOUBLE values), as nianbao wrote it before schema 3:
-- tests/warehouse/test_wh_schema.py builds an old warehouse from it to test the migration.
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

-- The canonical cell keys (nianbao/data/cells.csv). key: (template, cell_key)
CREATE TABLE IF NOT EXISTS cell_dictionary (
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
    row_ordinal INTEGER    -- order of its row within the table
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
    run_id      VARCHAR    -- last run that listed the portal
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
    resolved_by     VARCHAR    -- name (a division in the name), portal (the portal's region), none
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
    cells_count       INTEGER      -- non-null cells the extraction found
);

-- One report page with its attachments. key: report_id (= first 16 hex of sha256(portal_id + canonical page URL))
CREATE TABLE IF NOT EXISTS reports (
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
    fetched_at        TIMESTAMPTZ  -- of the report page (or its newest document)
);

-- The long fact table. key: (report_id, cell_key)
-- report_year and template are copies of the report's (kept in step by the loader), so that national
-- aggregates need no join.
CREATE TABLE IF NOT EXISTS cells (
    report_id   VARCHAR,
    cell_key    VARCHAR,
    value       DOUBLE,    -- NULL: not printed or not reported ("/", "-", "无")
    raw_text    VARCHAR,   -- the text printed in the cell
    unit        VARCHAR,   -- a unit printed with the value (元, 万元)
    report_year INTEGER,
    template    VARCHAR
);

-- The extractor's identity checks per report. key: (report_id, rule)
CREATE TABLE IF NOT EXISTS checks (
    report_id VARCHAR,
    rule      VARCHAR,
    ok        BOOLEAN,   -- NULL: could not be checked (missing values)
    detail    VARCHAR
);
