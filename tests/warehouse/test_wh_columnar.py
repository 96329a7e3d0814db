import pytest
"""The columnar handover (core/columnar.py) and the loader that bulk-inserts it; a run with nothing new."""
import hashlib
import json
import os
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow.parquet as pq
from tests.warehouse.wh_helpers import assert_consistent, reader, rows
from tests.warehouse.wh_synth import KEYS, RunBuilder, make_result

from core import columnar, layout
from flows.extract_stage import write_results
from warehouse import unpublished
from warehouse.load import load_run

P = "https://www.tc.example.gov.cn"


def one_report(data_dir, run_id="20260101T000000Z", **kw):
    b = RunBuilder(data_dir, run_id)
    b.portal("tc", "达州市通川区人民政府", "511702")
    r = make_result(seed=1, **kw)
    b.fetch("tc", P + "/1.html", "report", result=r)
    return b, r


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_extract_stage_writes_columns_beside_the_json_lines(data_dir):
    b, r = one_report(data_dir)
    run_dir, extracted = b.write()
    write_results(extracted, b.results)  # what the extract stage does at the end of its task
    paths = layout.columnar_paths(extracted)
    assert sorted(p.name for p in paths.values()) == [
        "extracted.cells.parquet", "extracted.checks.parquet", "extracted.docs.parquet"]
    assert columnar.is_fresh(extracted)
    assert [json.loads(line)["url"] for line in extracted.read_text(encoding="utf-8").splitlines()] == [P + "/1.html"]
    docs = pq.read_table(paths["docs"]).to_pylist()
    assert docs[0]["cells_total"] == len(r["cells"])
    assert docs[0]["checks_failed"] == sum(c["ok"] is False for c in r["checks"])
    assert pq.read_table(paths["cells"]).num_rows == len(r["cells"])
    # The loader reads the columns, not the JSON Lines: same size and mtime, but unreadable JSON, still loads.
    st = extracted.stat()
    extracted.write_bytes(b"x" * st.st_size)
    os.utime(extracted, ns=(st.st_atime_ns, st.st_mtime_ns))
    s = load_run(data_dir, run_dir, extracted)
    assert s.cells == len(r["cells"])


def test_stale_columns_are_rebuilt_from_the_json_lines(data_dir):
    b, r = one_report(data_dir)
    run_dir, extracted = b.write()
    write_results(extracted, b.results)
    edited = dict(b.results[0])
    edited["cells"] = dict(edited["cells"], **{"apply.new.person": 777})
    extracted.write_text(json.dumps(edited, ensure_ascii=False) + "\n", encoding="utf-8")
    assert not columnar.is_fresh(extracted)
    load_run(data_dir, run_dir, extracted)
    assert columnar.is_fresh(extracted)
    with reader(data_dir) as con:
        assert rows(con, "SELECT value FROM cell_values WHERE cell_key = 'apply.new.person'") == [(777,)]


def test_values_types_and_printed_text(data_dir):
    cells = {k: 0 for k in KEYS["2021"]}
    cells.update({"apply.new.person": 12, "apply.new.business": None, "apply.new.research": 3,
                  "apply.new.total": 2.5, "active.art20_8.fees.amount": 1.5, "active.art20_5.licensing.decisions": 40})
    b, r = one_report(data_dir, cells=cells)
    r = b.results[0]
    r["raw"].update({"apply.new.person": "12", "apply.new.business": "/", "apply.new.research": "3件",
                     "apply.new.total": "2.5", "active.art20_8.fees.amount": "1.5万元",
                     "active.art20_5.licensing.decisions": "４０"})
    r["units"] = {"apply.new.research": "件", "active.art20_8.fees.amount": "万元"}
    run_dir, extracted = b.write()
    load_run(data_dir, run_dir, extracted)
    with reader(data_dir) as con:
        got = {k: v for k, *v in rows(con, "SELECT cell_key, value, amount, raw_text, unit FROM cell_values")}
        stored_raw = dict(rows(con, "SELECT d.cell_key, c.raw_text FROM cells c JOIN cell_dictionary d USING (cell_id)"))
    assert got["apply.new.person"] == [12, None, "12", None]
    assert stored_raw["apply.new.person"] is None  # the digits of the value: not stored twice
    assert got["apply.new.business"] == [None, None, "/", None]  # not reported: NULL, never 0
    assert got["apply.new.research"] == [3, None, "3件", "件"]
    assert got["active.art20_5.licensing.decisions"] == [40, None, "４０", None]  # printed text kept as printed
    assert got["apply.new.total"] == [None, Decimal("2.5"), "2.5", None]  # a fraction in a count cell: amount
    assert got["active.art20_8.fees.amount"] == [None, Decimal("1.5"), "1.5万元", "万元"]  # money: amount


def test_unknown_cell_key_is_a_failed_check(data_dir):
    cells = dict.fromkeys(KEYS["2021"], 1)
    cells["apply.invented.person"] = 5
    b, _ = one_report(data_dir, cells=cells)
    run_dir, extracted = b.write()
    s = load_run(data_dir, run_dir, extracted)
    assert s.cells == len(KEYS["2021"])
    with reader(data_dir) as con:
        got = rows(con, "SELECT ok, detail FROM check_rows WHERE rule = 'contract.unknown_cell_keys'")
        checks_failed = rows(con, "SELECT checks_failed FROM reports")[0][0]
    assert got == [(False, "not in cells.csv for template 2021: apply.invented.person")]
    assert checks_failed >= 1
    assert_consistent(data_dir)


@pytest.mark.slow
def test_a_run_with_nothing_new_does_not_republish(data_dir):
    b1 = RunBuilder(data_dir, "20260101T000000Z")
    b1.portal("tc", "达州市通川区人民政府", "511702")
    for i in range(3):
        b1.fetch("tc", f"{P}/{i}.html", "report", result=make_result(seed=i))
    load_run(data_dir, *b1.write())
    published = layout.published_path(data_dir)
    before, before_stat = sha(published), published.stat()

    # the next night: every page answers 304 with the same bytes; extraction gives the same results
    b2 = RunBuilder(data_dir, "20260102T000000Z", started=datetime(2026, 1, 2, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702")
    for i, row in enumerate(b1.manifest[:3]):
        body = layout.raw_path(data_dir, row["sha256"]).read_bytes()
        b2.fetch("tc", f"{P}/{i}.html", "report", result=make_result(seed=i), body=body, state="not_modified")
    s = load_run(data_dir, *b2.write())
    assert s.skipped and s.unchanged
    assert sha(published) == before
    assert published.stat().st_ino == before_stat.st_ino  # not even swapped
    assert [e["run"]["run_id"] for e in unpublished.read(data_dir)] == ["20260102T000000Z"]
    assert load_run(data_dir, *b2.write()).skipped  # and again: still nothing

    # a night with one changed report publishes, and writes the held run too
    b3 = RunBuilder(data_dir, "20260103T000000Z", started=datetime(2026, 1, 3, tzinfo=timezone.utc))
    b3.portal("tc", "达州市通川区人民政府", "511702")
    b3.fetch("tc", f"{P}/0.html", "report", result=make_result(seed=99), body=b"changed")
    s = load_run(data_dir, *b3.write())
    assert not s.skipped and s.reports == 1
    assert sha(published) != before
    assert unpublished.read(data_dir) == []
    with reader(data_dir) as con:
        assert rows(con, "SELECT run_id, reports FROM runs ORDER BY run_id") == [
            ("20260101T000000Z", 3), ("20260102T000000Z", 3), ("20260103T000000Z", 1)]
        assert rows(con, "SELECT run_id, count(*) FROM portal_runs GROUP BY 1 ORDER BY 1") == [
            ("20260101T000000Z", 1), ("20260102T000000Z", 1), ("20260103T000000Z", 1)]
    assert_consistent(data_dir)


def test_a_changed_portal_state_is_new(data_dir):
    b1, _ = one_report(data_dir)
    load_run(data_dir, *b1.write())
    before = sha(layout.published_path(data_dir))
    b2 = RunBuilder(data_dir, "20260102T000000Z", started=datetime(2026, 1, 2, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702")
    b2.portals["tc"]["state"] = "challenged"
    s = load_run(data_dir, *b2.write())
    assert not s.skipped
    assert sha(layout.published_path(data_dir)) != before
    with reader(data_dir) as con:
        assert rows(con, "SELECT state FROM portals") == [("challenged",)]
