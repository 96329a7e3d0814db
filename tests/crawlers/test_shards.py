"""Crawl shards (crawlers/shards.py): one host, one shard; each shard's share of the increment state, merged back
all or nothing; a sharded run read as one run (core.records)."""
import json
import sqlite3

import pytest

from core import layout
from core.records import read_manifest, read_portals
from crawlers.shards import merge_states, plan_shards, write_state_share
from crawlers.sources import Portal
from crawlers.store import State


def portal(pid, url, *columns):
    return Portal(id=pid, name=pid, url=url, column_urls=list(columns))


def shard_of(plan, pid):
    return next(i for i, ids in enumerate(plan) if pid in ids)


def test_portals_on_one_host_share_a_shard():
    ps = [portal("a", "http://x.gov.cn/"), portal("b", "https://x.gov.cn/dept/"), portal("c", "http://y.gov.cn/"),
          portal("d", "http://z.gov.cn/"), portal("e", "http://w.gov.cn/")]
    plan = plan_shards(ps, 4)
    assert shard_of(plan, "a") == shard_of(plan, "b")
    assert len({shard_of(plan, p) for p in "acde"}) == 4


def test_a_column_on_another_host_joins_the_two_hosts():
    ps = [portal("a", "http://x.gov.cn/", "http://cms.example.cn/x/nb/"), portal("b", "http://cms.example.cn/b/"),
          portal("c", "http://y.gov.cn/")]
    plan = plan_shards(ps, 3)
    assert shard_of(plan, "a") == shard_of(plan, "b")
    assert shard_of(plan, "c") != shard_of(plan, "a")


def test_two_ports_are_two_hosts_as_for_politeness():
    plan = plan_shards([portal("a", "http://127.0.0.1:8001/"), portal("b", "http://127.0.0.1:8002/")], 2)
    assert sorted(map(sorted, plan)) == [["a"], ["b"]]


def test_no_more_shards_than_host_groups_and_none_empty():
    ps = [portal("a", "http://x.gov.cn/"), portal("b", "http://x.gov.cn/b/")]
    assert plan_shards(ps, 8) == [["a", "b"]]


def test_groups_spread_largest_first_and_every_portal_placed_once():
    ps = [portal(f"x{i}", f"http://x.gov.cn/{i}/") for i in range(4)]
    ps += [portal(f"h{i}", f"http://h{i}.gov.cn/") for i in range(4)]
    plan = plan_shards(ps, 2)
    assert sorted(p for ids in plan for p in ids) == sorted(p.id for p in ps)
    assert sorted(len(ids) for ids in plan) == [4, 4]


def _doc(state, pid, url, sha, run):
    state.record_doc(portal_id=pid, url=url, role="report", sha256=sha, size=1, detected_type="html", etag=None,
                     last_modified=None, list_sig=None, state="ok", status=200, run_id=run, link_title="t",
                     listing_url=None, parent_url=None)


def _rows(path, sql):
    con = sqlite3.connect(str(path))
    try:
        return sorted(con.execute(sql).fetchall())
    finally:
        con.close()


def test_state_share_has_only_its_portals_and_merges_back(tmp_path):
    main = tmp_path / "state" / "crawl.sqlite"
    s = State(main)
    _doc(s, "a", "http://x/1", "s1", "r0")
    _doc(s, "b", "http://y/1", "s2", "r0")
    s.record_portal("a", ["http://x/nb"], ["trs"], "ok", "r0", ["x"])
    s.record_portal("b", ["http://y/nb"], ["trs"], "ok", "r0", ["y"])
    s.record_host("x", "r0", https_broken=True)
    s.close()

    share = write_state_share(main, tmp_path / "share.sqlite", ["a"])
    assert _rows(share, "SELECT portal_id, url FROM docs") == [("a", "http://x/1")]
    assert _rows(share, "SELECT portal_id FROM portals") == [("a",)]
    assert _rows(share, "SELECT host, https_broken FROM hosts") == [("x", 1)]

    crawled = State(share)  # what the shard's crawl does with its copy
    _doc(crawled, "a", "http://x/2", "s3", "r1")
    crawled.record_portal("a", ["http://x/nb2"], ["trs"], "partial", "r1", ["x"])
    crawled.record_body("s3", 1, "html", "http://x/2", "a", "r1")
    crawled.close()
    merge_states(main, [(share, ["a"])], "r1")

    assert _rows(main, "SELECT portal_id, url, last_run FROM docs") == [
        ("a", "http://x/1", "r0"), ("a", "http://x/2", "r1"), ("b", "http://y/1", "r0")]
    assert _rows(main, "SELECT portal_id, state, last_run FROM portals") == [("a", "partial", "r1"), ("b", "ok", "r0")]
    assert _rows(main, "SELECT sha256, first_portal FROM bodies") == [("s3", "a")]
    assert State(main).doc("b", "http://y/1").sha256 == "s2"  # the state opens as before


def test_a_merge_that_fails_leaves_the_state_as_it_was(tmp_path):
    main = tmp_path / "crawl.sqlite"
    s = State(main)
    _doc(s, "a", "http://x/1", "s1", "r0")
    s.close()
    good = write_state_share(main, tmp_path / "good.sqlite", ["a"])
    g = State(good)
    _doc(g, "a", "http://x/2", "s2", "r1")
    g.close()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database")
    with pytest.raises(sqlite3.DatabaseError):
        merge_states(main, [(good, ["a"]), (bad, ["b"])], "r1")
    assert _rows(main, "SELECT url FROM docs") == [("http://x/1",)]
    assert not (tmp_path / "crawl.sqlite.merging").exists()


def test_first_run_share_is_empty_but_has_the_schema(tmp_path):
    share = write_state_share(tmp_path / "none.sqlite", tmp_path / "share.sqlite", ["a"])
    assert _rows(share, "SELECT count(*) FROM docs") == [(0,)]


def _write_run_part(folder, run_id, portal_id, urls):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / layout.MANIFEST_FILE, "w", encoding="utf-8") as fh:
        for u in urls:
            fh.write(json.dumps({"run_id": run_id, "portal_id": portal_id, "url": u, "role": "report",
                                 "state": "ok", "sha256": "0" * 64, "detected_type": "html"}) + "\n")
    (folder / layout.PORTALS_FILE).write_text(json.dumps({"id": portal_id, "state": "ok"}) + "\n", encoding="utf-8")


def test_a_sharded_run_reads_as_one_run_in_shard_order(tmp_path):
    run = tmp_path / "runs" / "R"
    for i, pid in [(1, "b"), (0, "a"), (10, "c")]:
        _write_run_part(layout.shard_dir(run, i), "R", pid, [f"http://{pid}/1", f"http://{pid}/2"])
    _write_run_part(run / layout.SHARDS_DIR / ".000.attempt-1", "R", "stale", ["http://stale/1"])  # moved aside
    assert layout.is_run_dir(run)
    assert [r.portal_id for r in read_manifest(run)] == ["a", "a", "b", "b", "c", "c"]
    assert sorted(p.id for p in read_portals(run)) == ["a", "b", "c"]


def test_a_one_process_run_is_unchanged(tmp_path):
    run = tmp_path / "runs" / "R"
    _write_run_part(run, "R", "a", ["http://a/1"])
    assert [r.url for r in read_manifest(run)] == ["http://a/1"]
    assert layout.run_files(run, layout.MANIFEST_FILE) == [run / layout.MANIFEST_FILE]
