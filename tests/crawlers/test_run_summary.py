"""A crawl that could not store every response is never reported as a success (issue 10 item 3: the old
symptom was `database is locked` on every item and "✓ 105 responses"). crawlers/run.py and the store pipeline."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.pipelines import StorePipeline
from crawlers.run import load_summary
from crawlers.store import STORE_ERROR_LAST_STAT, STORE_ERRORS_STAT


def run_dir(tmp_path: Path, stats: dict | None, finish_reason: str | None = "finished") -> Path:
    d = tmp_path / "data" / "runs" / "r1"
    d.mkdir(parents=True)
    (d / "run.json").write_text(json.dumps({"run_id": "r1", "finish_reason": finish_reason}))
    if stats is not None:
        (d / "stats.json").write_text(json.dumps(stats))
    return d


def test_a_clean_crawl_is_ok(tmp_path):
    s = load_summary(run_dir(tmp_path, {"downloader/request_count": 3}))
    assert s.ok and s.error is None and s.store_errors == 0


def test_store_errors_make_the_crawl_not_ok_with_the_count_and_the_last_error(tmp_path):
    s = load_summary(run_dir(tmp_path, {STORE_ERRORS_STAT: 105,
                                        STORE_ERROR_LAST_STAT: "OperationalError: database is locked"}))
    assert not s.ok
    assert s.error.startswith("105 fetched responses could not be stored (OperationalError: database is locked)")


def test_a_closed_crawl_without_readable_stats_is_not_ok(tmp_path):
    d = run_dir(tmp_path, None)
    (d / "stats.json").write_text("")  # a full disk truncates it
    (d / "crawl.log").write_text("x\nOSError: [Errno 28] No space left on device\n")
    s = load_summary(d)
    assert not s.ok and "No space left on device" in s.error


def test_a_killed_crawl_is_not_ok(tmp_path):
    s = load_summary(run_dir(tmp_path, None, finish_reason=None))
    assert not s.ok and s.returncode == 1


class _Stats:
    def __init__(self):
        self.values: dict = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key, value):
        self.values[key] = value


class _FailingStore:
    def write(self, item):
        raise OSError(28, "No space left on device")


def test_the_store_pipeline_counts_each_failed_write_and_still_raises():
    pipe = StorePipeline()
    pipe.crawler = type("C", (), {"stats": _Stats()})()
    pipe._store = _FailingStore()
    for _ in range(2):
        with pytest.raises(OSError):
            pipe.process_item({"url": "http://x/1", "body": b"x"})
    assert pipe.crawler.stats.values[STORE_ERRORS_STAT] == 2
    assert "No space left on device" in pipe.crawler.stats.values[STORE_ERROR_LAST_STAT]
