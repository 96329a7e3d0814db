"""No orphan LibreOffice (issue 10 item 2, "no orphans"): `soffice` forks `oosplash`, which forks `soffice.bin`,
in a session of their own. When the extraction worker that runs a conversion is killed (SIGKILL: `nianbao run`
killed, its workers dying with it), the whole conversion dies with it instead of running on unwatched.
Real LibreOffice converting a real golden .doc in a real child process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import lifetime

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(not lifetime.supported(), reason="parent-death signals are Linux only")

CONVERT = """
import sys
sys.path.insert(0, sys.argv[1])
from extract.readers import office
from extract.settings import ExtractSettings
office.read_doc(open(sys.argv[2], 'rb').read(), ExtractSettings())
"""


def _processes_mentioning(marker: str) -> list[str]:
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
            out.append(f"{entry.name} {cmd[:120]}")
    return out


def test_a_killed_worker_takes_its_libreoffice_conversion_with_it(tmp_path):
    if not subprocess.run(["which", "soffice"], capture_output=True).stdout:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path / "tmp"  # the conversion's folders are under it: its processes name it on their command line
    tmp.mkdir()
    doc = ROOT / "tests" / "golden" / "files" / "13_doc-2021.doc"
    worker = subprocess.Popen([sys.executable, "-c", CONVERT, str(ROOT), str(doc)], env=dict(os.environ, TMPDIR=str(tmp)))
    try:
        deadline = time.monotonic() + 60
        while not any("soffice.bin" in p for p in _processes_mentioning(str(tmp))):
            assert worker.poll() is None, "the conversion ended before soffice.bin was seen"
            assert time.monotonic() < deadline, "soffice.bin never started"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        # the group is killed at once (an unwatched conversion would run on for seconds, or forever on a file
        # that hangs LibreOffice)
        deadline = time.monotonic() + 3
        while (left := _processes_mentioning(str(tmp))) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == [], left
    finally:
        if worker.poll() is None:
            worker.kill()
        for line in _processes_mentioning(str(tmp)):  # never leave one behind, even when the test fails
            try:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            except OSError:
                pass


def test_guarded_group_passes_the_exit_status_and_output_through(tmp_path):
    cmd = lifetime.guarded_group(["sh", "-c", "echo out; echo err >&2; exit 3"])
    r = subprocess.run(cmd, capture_output=True, text=True, start_new_session=True, timeout=30)
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n")
    r = subprocess.run(lifetime.guarded_group(["sh", "-c", "kill -9 $$"]), start_new_session=True, timeout=30)
    assert r.returncode == 128 + signal.SIGKILL
    with pytest.raises(FileNotFoundError):
        lifetime.guarded_group(["no-such-program-nianbao"])


@pytest.mark.slow
def test_guarded_group_kills_grandchildren_when_its_parent_dies(tmp_path):
    """The parent (a Python process) starts a supervised shell that starts a grandchild in the background; the
    parent is killed with SIGKILL: the grandchild dies too."""
    mark = tmp_path / "alive"
    code = ("import subprocess, sys, time\nsys.path.insert(0, sys.argv[1])\nfrom core import lifetime\n"
            "subprocess.Popen(lifetime.guarded_group(['sh', '-c', 'sleep 300 & echo $! > ' + sys.argv[2] + '; wait']),"
            " start_new_session=True)\ntime.sleep(300)\n")
    parent = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(mark)])
    try:
        deadline = time.monotonic() + 30
        while not (mark.exists() and mark.read_text().strip()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        grandchild = int(mark.read_text())
        assert Path(f"/proc/{grandchild}").exists()
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{grandchild}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{grandchild}").exists()
    finally:
        if parent.poll() is None:
            parent.kill()
