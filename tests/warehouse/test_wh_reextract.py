"""Re-extraction in the warehouse: which reports are stale, and their load, with a stand-in extractor.

(The flow that runs the real extractor through the extract stage is tested in tests/flows/test_reextract.py.)
"""
import pytest
from tests.warehouse.wh_helpers import assert_consistent, dump, reader, rows
from tests.warehouse.test_wh_load import P, build_run1
from tests.warehouse.wh_synth import docs_extractor, fake_extract

from core import layout
from core.errors import UserError
from warehouse.ingest import report_id_for
from warehouse.load import load_run
from warehouse.reextract import reextract


def cell_values(data_dir):
    with reader(data_dir) as con:
        return dict(((r[0], r[1]), r[2]) for r in rows(con, "SELECT report_id, cell_key, value FROM cell_rows"))


def run(data_dir, version, bump, **kw):
    return reextract(data_dir, version, docs_extractor(data_dir, fake_extract(version, bump=bump)), **kw)


@pytest.mark.slow
def test_reextract_new_version(data_dir):
    with pytest.raises(UserError, match="no warehouse"):
        run(data_dir, "x2", 1)
    b, expected = build_run1(data_dir)
    load_run(data_dir, *b.write())
    before = cell_values(data_dir)
    with reader(data_dir) as con:
        n_reports = rows(con, "SELECT count(*) FROM reports")[0][0]
        statuses = dict(rows(con, "SELECT report_id, status FROM reports"))
    s = run(data_dir, "x2", 1)
    assert not s.skipped and s.version == "x2"
    assert s.documents_missing_raw == 0 and s.documents_corrupt_raw == 0
    after = cell_values(data_dir)
    assert set(after) == set(before)
    assert all(after[k] == (None if v is None else v + 1) for k, v in before.items())
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM reports")[0][0] == n_reports
        rid7 = report_id_for("tc", P + "/nb/7.html")  # had no extraction result; now it has one
        assert statuses[rid7] == "not_extracted"
        statuses[rid7] = "no_tables"
        assert dict(rows(con, "SELECT report_id, status FROM reports")) == statuses
        versions = rows(con, "SELECT DISTINCT extractor_version FROM documents WHERE status IN ('ok', 'no_tables')")
        assert versions == [("x2",)]
        assert rows(con, "SELECT kind, extractor_versions FROM runs WHERE kind = 'reextract'") == [("reextract", "x2")]
        # the page without tables still takes its cells from the attachment
        rid = report_id_for("tc", P + "/nb/3.html")
        assert rows(con, "SELECT document_url FROM reports WHERE report_id = ?", [rid]) == [(P + "/files/3.pdf",)]
    # same version again: nothing to do, nothing changes
    snapshot = dump(data_dir)
    s = run(data_dir, "x2", 1)
    assert s.skipped
    assert dump(data_dir) == snapshot
    # --force re-extracts anyway
    s = run(data_dir, "x2", 2, force=True)
    assert not s.skipped
    assert_consistent(data_dir)
    forced = cell_values(data_dir)
    assert all(forced[k] == (None if v is None else v + 2) for k, v in before.items())


@pytest.mark.slow
def test_reextract_keeps_the_earlier_extraction_of_a_missing_raw_body(data_dir):
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    before = cell_values(data_dir)
    rid1 = report_id_for("tc", P + "/nb/1.html")
    with reader(data_dir) as con:
        sha1 = rows(con, "SELECT sha256 FROM documents WHERE url = ?", [P + "/nb/1.html"])[0][0]
    layout.raw_path(data_dir, sha1).unlink()
    s = run(data_dir, "x3", 1)
    assert s.version == "x3" and s.documents_missing_raw == 1
    after = cell_values(data_dir)
    for (rid, key), v in before.items():
        want = v if (rid == rid1 or v is None) else v + 1
        assert after[(rid, key)] == want
    assert_consistent(data_dir)


@pytest.mark.slow
def test_reextract_records_an_unreadable_result(data_dir):
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    inner = fake_extract("x4", bump=0)

    def fn(data, source, url=None):
        if url == P + "/nb/1.html":
            return {"status": "unreadable", "reason": "reader failed: ValueError: cannot parse",
                    "extractor_version": "x4"}
        return inner(data, source, url=url)

    reextract(data_dir, "x4", docs_extractor(data_dir, fn))
    with reader(data_dir) as con:
        rid = report_id_for("tc", P + "/nb/1.html")
        rep = rows(con, "SELECT status, reason, cells_count FROM reports WHERE report_id = ?", [rid])
        assert rep[0][0] == "unreadable" and "ValueError: cannot parse" in rep[0][1] and rep[0][2] is None
        assert rows(con, "SELECT count(*) FROM cell_rows WHERE report_id = ?", [rid]) == [(0,)]
        assert rows(con, "SELECT count(*) FROM reports WHERE status = 'ok'") == [(3,)]
    assert_consistent(data_dir)
