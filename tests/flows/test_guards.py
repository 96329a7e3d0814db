"""Guards that need no Prefect run (issue 10 items 3 and 7, issue 14 item 5): the run lock, input checks,
configuration errors, and the pure parts of recovery and of the run's artifacts. Real files, real processes."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from core.errors import UserError
from core.layout import check_run_id, run_dir
from flows import artifacts, backlog, config, errors
from flows.runlock import Busy, holder, run_lock
from nianbao.cli import main
from tests.flows.flowkit import PYTHON, ROOT

HOLD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from flows.runlock import run_lock
with run_lock(sys.argv[1], what="the holder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def hold_lock(data: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([PYTHON, "-c", HOLD, str(data), str(ROOT), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


# ------------------------------------------------------------------------------------------------ run lock

def test_second_holder_is_refused_at_once_with_the_holder_named(tmp_path):
    proc = hold_lock(tmp_path, 60)
    try:
        t0 = time.monotonic()
        with pytest.raises(Busy) as exc:
            with run_lock(tmp_path, wait=0):
                pass
        assert time.monotonic() - t0 < 2
        msg = str(exc.value)
        assert "busy" in msg and f"pid {proc.pid}" in msg and "the holder" in msg and "\n" not in msg
        assert exc.value.exit_code == 75
        assert f"pid {proc.pid}" in holder(tmp_path)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_wait_is_bounded_and_the_lock_is_taken_when_freed(tmp_path):
    proc = hold_lock(tmp_path, 60)
    try:
        t0 = time.monotonic()
        with pytest.raises(Busy, match="after waiting 1.5 s"):
            with run_lock(tmp_path, wait=1.5):
                pass
        waited = time.monotonic() - t0
        assert 1.4 <= waited < 4, waited
    finally:
        proc.kill()  # SIGKILL: the kernel drops the lock with the process
        proc.wait()
    with run_lock(tmp_path, wait=5):
        assert f"pid {os.getpid()}" in holder(tmp_path)
    assert holder(tmp_path) == ""


def test_lock_is_reentrant_in_one_process_and_not_inherited(tmp_path):
    with run_lock(tmp_path, what="outer"):
        with run_lock(tmp_path, what="inner"):  # the flow inside `nianbao run`
            assert "outer" in holder(tmp_path)
        # a child process does not inherit it: it is refused like any other process
        out = subprocess.run([PYTHON, "-c", HOLD, str(tmp_path), str(ROOT), "0"], capture_output=True, text=True)
        assert out.returncode != 0 and "busy" in out.stderr
    with run_lock(tmp_path, wait=0):
        pass


def test_lock_refuses_a_missing_data_dir_and_a_negative_wait(tmp_path):
    with pytest.raises(UserError, match="data directory not found"):
        with run_lock(tmp_path / "nope"):
            pass
    assert not (tmp_path / "nope").exists()
    with pytest.raises(UserError, match="--wait"):
        with run_lock(tmp_path, wait=-1):
            pass


@pytest.mark.parametrize("argv", [
    ["run", "--sources", "{sources}"],
    ["backfill", "--sources", "{sources}"],
    ["crawl", "--sources", "{sources}"],
    ["reextract"],
    ["load", "--run", "{run}"],
])
def test_every_writing_command_is_refused_while_a_run_holds_the_data_dir(tmp_path, capsys, argv):
    data = tmp_path / "data"
    data.mkdir()
    sources = tmp_path / "s.yaml"
    sources.write_text("portals:\n  - {id: p1, name: 测试县人民政府, url: 'http://127.0.0.1:9/'}\n", encoding="utf-8")
    run = data / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "manifest.jsonl").write_text("")
    (run / "extracted.jsonl").write_text("")
    argv = [a.format(sources=sources, run=run) for a in argv] + ["--data-dir", str(data)]
    proc = hold_lock(data, 60)
    try:
        t0 = time.monotonic()
        assert main(argv) == 75
        assert time.monotonic() - t0 < 5
        err = capsys.readouterr().err
        assert err.startswith("nianbao: ") and err.count("\n") == 1 and "busy" in err, err
    finally:
        proc.kill()
        proc.wait()


# ------------------------------------------------------------------------------------------------ input checks

@pytest.mark.parametrize("bad", ["../x", "a/b", "..", "x/../../etc", "/abs", "a\\\\b", "", ".hidden", "a b", "x" * 101])
def test_run_id_must_be_one_plain_path_component(tmp_path, capsys, bad):
    with pytest.raises(UserError):
        check_run_id(bad)
    with pytest.raises(UserError):
        run_dir(tmp_path, bad)
    data = tmp_path / "data"
    with pytest.raises(SystemExit) as exc:
        main(["crawl", "--run-id", bad, "--data-dir", str(data)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao crawl: error: argument --run-id: run id must be") and err.count("\n") == 1, err
    assert not data.exists()


def test_good_run_ids_pass(tmp_path):
    for good in ("20261206T020000Z", "20261206T020000Z-retry.1", "nightly_2026-12-06"):
        assert run_dir(tmp_path, good) == tmp_path / "runs" / good


def test_crawl_run_id_cannot_leave_the_runs_folder(tmp_path):
    """The library entry point refuses it too (not only the command line), before anything is written."""
    from crawlers.run import crawl

    sources = tmp_path / "s.yaml"
    sources.write_text("portals:\n  - {id: p1, name: 测试县人民政府, url: 'http://127.0.0.1:9/'}\n", encoding="utf-8")
    with pytest.raises(UserError, match="run id"):
        crawl(sources, tmp_path / "data", run_id="../../escape")
    assert not (tmp_path / "escape").exists() and not (tmp_path / "data" / "escape").exists()
    with pytest.raises(UserError, match="timeout"):
        crawl(sources, tmp_path / "data", timeout=-5)


@pytest.mark.parametrize("argv", [
    ["crawl", "--timeout", "-1"], ["crawl", "--timeout", "0"], ["crawl", "--timeout", "nan"],
    ["crawl", "--wait", "-3"], ["run", "--workers", "0"], ["run", "--wait", "-1"], ["backfill", "--workers", "-2"],
    ["reextract", "--workers", "0"], ["reextract", "--wait", "-1"], ["load", "--run", "x", "--wait", "-1"],
    ["sql", "SELECT 1", "--timeout", "-1"], ["demo", "--workers", "0"],
])
def test_negative_and_zero_numbers_are_refused_before_any_work(tmp_path, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--data-dir", str(tmp_path / "d")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nianbao {argv[0]}: error: argument ") and "must be" in err, err
    assert err.count("\n") == 1, err  # one line, not the usage block
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("argv", [["bogus"], ["sql"], ["crawl", "--platform", "nope"], ["run", "--no-such-flag"],
                                  ["extract"]])
def test_every_usage_error_is_one_line_with_a_non_zero_exit(tmp_path, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao") and ": error: " in err and err.count("\n") == 1, err
    assert err.rstrip().endswith("--help`)")


# ------------------------------------------------------------------------------------------------ config errors

@pytest.mark.slow
def test_run_with_a_bad_sources_file_fails_in_one_line_and_creates_nothing(tmp_path, capsys):
    data = tmp_path / "missing-data"
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals: [\n", encoding="utf-8")
    for argv, want in ((["run", "--sources", str(tmp_path / "nope.yaml")], "sources file not found"),
                       (["run", "--sources", str(bad)], "not valid YAML"),
                       (["backfill", "--sources", str(bad)], "not valid YAML"),
                       (["crawl", "--sources", str(bad)], "not valid YAML"),
                       (["crawl", "--sources", str(tmp_path / "nope.yaml")], "sources file not found")):
        t0 = time.monotonic()
        assert main(argv + ["--data-dir", str(data)]) == 2
        assert time.monotonic() - t0 < 10  # before Prefect starts
        err = capsys.readouterr().err
        assert err.startswith("nianbao: ") and err.count("\n") == 1 and want in err, err
        assert not data.exists(), "the data directory was created before the sources file was checked"


def test_config_check_is_the_same_line_for_the_cli_and_the_flow(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - {id: 'a/b', name: x, url: 'http://127.0.0.1:9/'}\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        config.check(bad, tmp_path)
    assert "id must be" in str(exc.value)
    with pytest.raises(UserError, match="data directory not found"):
        config.check(None, tmp_path / "unmounted")
    assert not (tmp_path / "unmounted").exists()
    with pytest.raises(UserError, match="no portal with id"):
        config.check_sources(_good(tmp_path), ["nope"])


def _good(tmp_path: Path) -> Path:
    p = tmp_path / "good.yaml"
    p.write_text("portals:\n  - {id: p1, name: 测试县人民政府, url: 'http://127.0.0.1:9/'}\n", encoding="utf-8")
    return p


def test_only_network_errors_are_transient():
    import errno

    assert errors.is_transient(ConnectionResetError())
    assert errors.is_transient(TimeoutError())
    assert errors.is_transient(OSError(errno.ECONNREFUSED, "refused"))
    assert not errors.is_transient(UserError("sources file not found: x"))
    assert not errors.is_transient(OSError(errno.ENOSPC, "No space left on device"))
    assert not errors.is_transient(FileNotFoundError(2, "missing"))
    assert not errors.is_transient(RuntimeError("crawl 1 failed: the crawl process exited with code 1"))
    assert not errors.is_transient(ValueError("bad"))
    assert not errors.is_transient(None)


# ------------------------------------------------------------------------------------------------ recovery parts

def test_seal_keeps_whole_lines_and_sets_torn_ones_aside(tmp_path):
    f = tmp_path / "manifest.jsonl"
    rows = [json.dumps({"n": i}) for i in range(3)]
    f.write_bytes(("\n".join(rows) + "\n").encode() + b'{"n": 3, "url": "http://x/y')  # a kill mid-row
    assert backlog.seal_file(f) == 1
    assert [json.loads(x)["n"] for x in f.read_text().splitlines()] == [0, 1, 2]
    assert (tmp_path / "manifest.jsonl.torn").read_bytes() == b'{"n": 3, "url": "http://x/y\n'
    assert backlog.seal_file(f) == 0  # nothing more to do; the file is left as it is
    g = tmp_path / "portals.jsonl"
    g.write_bytes(b'{"a": 1}\n\x00\x00\x00\n{"b": 2}\n')  # a hole a full disk can leave
    assert backlog.seal_file(g) == 1
    assert g.read_bytes() == b'{"a": 1}\n{"b": 2}\n'


def test_pending_runs_are_the_unloaded_ones_oldest_first(tmp_path):
    runs = tmp_path / "runs"
    for rid, started in (("r2", "2026-01-02T00:00:00+00:00"), ("r1", "2026-01-01T00:00:00+00:00"),
                         ("r3", "2026-01-03T00:00:00+00:00")):
        (runs / rid).mkdir(parents=True)
        (runs / rid / "manifest.jsonl").write_text("")
        (runs / rid / "run.json").write_text(json.dumps({"run_id": rid, "started_at": started}))
    (runs / "empty").mkdir()  # no manifest: nothing to load
    assert [r.run_id for r in backlog.pending_runs(tmp_path)] == ["r1", "r2", "r3"]
    assert [r.run_id for r in backlog.pending_runs(tmp_path, exclude={"r3"})] == ["r1", "r2"]
    pending = backlog.pending_runs(tmp_path)[0]
    assert not pending.finished
    backlog.seal(pending)
    info = json.loads((runs / "r1" / "run.json").read_text())
    assert info["finish_reason"] == "interrupted" and info["recovered"] is True
    assert pending.finish_reason == "interrupted" and not pending.finished


# ------------------------------------------------------------------------------------------------ artifacts

PORTALS = [
    {"id": "a", "name": "甲县", "state": "ok", "counts": {"pages": 9, "reports": 4, "new": 1, "errors": 0}},
    {"id": "b", "name": "乙县", "state": "unreachable", "error": "DNS lookup failed", "counts": {"pages": 0}},
    {"id": "c", "name": "丙县", "state": "partial", "counts": {"pages": 5, "reports": 2, "errors": 1, "challenged": 1}},
    {"id": "d", "name": "丁县", "state": "challenged", "counts": {"challenged": 1}},
    {"id": "e", "name": "戊县", "state": "empty_column", "counts": {"pages": 2}},
    {"id": "f", "name": "己县", "state": "no_column", "error": "no 年报 link on the home page", "counts": {}},
]
PREVIOUS = {"a": {"state": "ok"}, "b": {"state": "ok"}, "c": {"state": "partial"}, "d": {"state": "unreachable"},
            "e": {"state": "ok"}}


def test_portal_table_has_one_row_per_portal_with_state_and_reason():
    rows = artifacts.portal_rows(PORTALS)
    assert [r["portal"] for r in rows] == list("abcdef")
    assert set(rows[0]) == {"portal", "name", "state", "pages", "reports", "new", "errors", "reason"}
    assert rows[0]["reason"] == "" and rows[0]["pages"] == 9 and rows[0]["new"] == 1
    assert rows[1]["reason"] == "DNS lookup failed"
    assert rows[2]["reason"] == "errors 1, challenged 1"
    assert all(r["reason"] for r in rows[1:])


def test_worse_is_a_more_severe_state_than_last_time():
    worse = {(w["portal"], w["before"], w["now"]) for w in artifacts.got_worse(PORTALS, PREVIOUS)}
    # b ok→unreachable and e ok→empty_column got worse; c stayed partial; d unreachable→challenged is not worse;
    # f has no previous run
    assert worse == {("b", "ok", "unreachable"), ("e", "ok", "empty_column")}


def test_one_event_per_portal_that_is_not_ok():
    events = artifacts.portal_events(PORTALS, PREVIOUS, "R1", "fr-1")
    assert [e["event"] for e in events] == ["nianbao.portal.unreachable", "nianbao.portal.partial",
                                            "nianbao.portal.challenged", "nianbao.portal.empty_column",
                                            "nianbao.portal.no_column"]
    e = events[0]
    assert e["resource"]["prefect.resource.id"] == "nianbao.portal.b"
    assert e["payload"]["reason"] == "DNS lookup failed" and e["payload"]["previous_state"] == "ok"
    assert e["payload"]["run_id"] == "R1"
    assert {"prefect.resource.id": "prefect.flow-run.fr-1", "prefect.resource.role": "flow-run"} in e["related"]


def test_markdown_summary_has_totals_worse_portals_and_failed_reports():
    summary = {"run_id": "R1", "portals": PORTALS, "documents": 7, "extracted_new": 3,
               "statuses": {"ok": 5, "unreadable": 2}, "load": {"reports": 6, "cells": 1234},
               "backlog": [{"run_id": "R0", "documents": 4}]}
    failed = {"total": 3, "rows": [{"portal_id": "c", "agency": "丙县教育局", "report_year": 2023,
                                    "status": "unreadable", "reason": "encrypted | locked", "source_url": "http://c/1",
                                    "document_url": "http://c/1.pdf"}]}
    md = artifacts.markdown_summary(summary, artifacts.got_worse(PORTALS, PREVIOUS), failed, "/d/runs/R1/report.html")
    assert "| portals | 6 (" in md and "| reports found | 6 (1 new) |" in md
    assert "1234 cells" in md and "R0 (4 documents)" in md
    assert "got worse since the last run (2)" in md and "| b | 乙县 | ok | unreachable | DNS lookup failed |" in md
    assert "failed extraction or fetch (3)" in md and "encrypted \\| locked" in md and "and 2 more" in md
    assert "report.html" in md


# ------------------------------------------------------------------------------------------------ Prefect server

def test_a_prefect_server_that_does_not_answer_is_one_line_at_once(tmp_path, capsys, monkeypatch):
    """With PREFECT_API_URL set every command uses that server; when it is down, the command says so at once
    instead of a start-up timeout (no temporary server is started behind the user's back)."""
    from tests.flows.flowkit import free_port

    url = f"http://127.0.0.1:{free_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    data = tmp_path / "data"
    for argv in (["run", "--sources", str(_good(tmp_path)), "--data-dir", str(data)],
                 ["backfill", "--sources", str(_good(tmp_path)), "--data-dir", str(data)],
                 ["serve", "--sources", str(_good(tmp_path)), "--data-dir", str(data)],
                 ["demo", "--data-dir", str(data)]):
        t0 = time.monotonic()
        assert main(argv) == 2
        assert time.monotonic() - t0 < 15
        err = capsys.readouterr().err
        assert err.startswith(f"nianbao: the Prefect server at PREFECT_API_URL={url} does not answer") \
            and err.count("\n") == 1, err
        assert not data.exists()


def test_default_workers_are_the_cores(monkeypatch):
    """Issue 12 item 6: without --workers, one extraction process per core."""
    from flows import extract_stage

    assert extract_stage.default_workers() == (os.cpu_count() or 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert extract_stage.default_workers() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert extract_stage.default_workers() == 1


@pytest.mark.parametrize("argv,want", [
    (["reextract"], "data directory not found"),
    (["load", "--run", "{tmp}/no-run"], "run directory not found"),
    (["export"], "no warehouse"),
    (["sql", "SELECT 1"], "no warehouse"),
    (["site"], "no warehouse"),
])
def test_commands_on_a_missing_data_dir_fail_in_one_line_and_create_nothing(tmp_path, capsys, argv, want):
    data = tmp_path / "missing-data"
    assert main([a.format(tmp=tmp_path) for a in argv] + ["--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao: ") and err.count("\n") == 1 and want in err, err
    assert not data.exists()


LEAK = """
import argparse, sys
sys.path.insert(0, sys.argv[1])
import duckdb
from nianbao import cli

import queue, threading
kept = queue.Queue()  # Prefect keeps a crashed state's exception, and with it the task's frames, in its own threads


def keeper():
    exc = kept.get()
    threading.Event().wait()  # a daemon thread, alive at interpreter exit, holding the exception


threading.Thread(target=keeper, daemon=True).start()


def load(args):
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    try:
        raise RuntimeError("no space left on device")
    except RuntimeError as exc:
        kept.put(exc)
        raise


def parser():
    p = argparse.ArgumentParser(prog="nianbao")
    p.set_defaults(func=load)
    return p


cli.build_parser = parser
sys.exit(cli.main([]))
"""


def test_a_failed_command_ends_with_its_one_line_not_binding_leak_reports(tmp_path):
    """A DuckDB connection held by the frames of a kept exception used to make DuckDB's bindings print dozens
    of `nanobind: leaked …` lines at exit, after the command's one-line error (seen on a SIGTERM during a load)."""
    out = subprocess.run([PYTHON, "-c", LEAK, str(ROOT)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "nianbao: RuntimeError: no space left on device (set NIANBAO_DEBUG=1 for the traceback)"], out.stderr[-2000:]
