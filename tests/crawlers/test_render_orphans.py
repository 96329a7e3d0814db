"""No orphan browser (issue 10 item 2, "no orphans"): Playwright starts Chromium in a session of its own, so the
session check of the run-kill tests (tests/flows/test_interruptions.py) cannot see it. Here `nianbao crawl` is
killed with SIGKILL while Chromium renders the demo's script-built site: the crawl dies with it (parent-death
signal), Playwright's driver sees its pipe close and ends the browser, and nothing that names this test's
folders (the crawl's data directory; Chromium's profile, made under TMPDIR) is left. Real crawl, real Chromium, on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from crawlers.render import unavailable_reason

from tests.crawlers.conftest import write_sources
from tests.flows.flowkit import NIANBAO

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow, pytest.mark.portal, pytest.mark.browser]


def _processes_naming(marker: str) -> list[tuple[int, str]]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmd and state != "Z":
            out.append((int(entry.name), cmd[:160]))
    return out


def test_a_killed_crawl_leaves_no_browser(portal, tmp_path):
    assert unavailable_reason() is None, unavailable_reason()
    # short: Chromium's profile holds a unix socket, whose path may not exceed 107 bytes (pytest's tmp_path is long)
    tmp = Path(tempfile.mkdtemp(prefix="nb-render-"))
    data = tmp_path / "data"
    data.mkdir()
    # polite enough that the crawl, were it left running, would outlive the check below by far
    sources = write_sources(portal, tmp_path / "sources.yaml", ["demo-script"], defaults={"delay": 3.0, "jitter": 0})
    log = open(tmp_path / "crawl.log", "wb")
    crawl = subprocess.Popen(NIANBAO + ["crawl", "--sources", str(sources), "--data-dir", str(data)],
                             stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, TMPDIR=str(tmp)),
                             start_new_session=True)
    profile = str(tmp / "playwright_")
    try:
        deadline = time.monotonic() + 300
        while not any("--type=renderer" in cmd for _, cmd in _processes_naming(profile)):  # a page is rendering
            assert crawl.poll() is None, (tmp_path / "crawl.log").read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "Chromium never started"
            time.sleep(0.1)
        running = _processes_naming(str(tmp_path)) + _processes_naming(str(tmp))
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=30)
        # at once (measured: nothing left 2 s after the kill), not when an orphaned crawl would have finished
        deadline = time.monotonic() + 8
        while (left := _processes_naming(str(tmp_path)) + _processes_naming(str(tmp))) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == [], (left, running)
    finally:
        log.close()
        if crawl.poll() is None:
            os.killpg(crawl.pid, signal.SIGKILL)
        for pid, _ in _processes_naming(str(tmp_path)) + _processes_naming(str(tmp)):  # never leave one behind
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
