"""Issue 14 item 5: `nianbao extract -` reads standard input; the README's way to run the demo portal on its own
works. Real processes (the installed command line, `python -m demoportal`), real files, 127.0.0.1 only."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NIANBAO = [sys.executable, "-m", "nianbao.cli"]
GOLDEN = ROOT / "tests" / "golden" / "html" / "001_trs-district-finance.html"


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


@pytest.mark.slow
def test_extract_dash_reads_standard_input_like_a_file():
    from_file = subprocess.run(NIANBAO + ["extract", str(GOLDEN), "--json"], capture_output=True, env=env(),
                               timeout=300)
    from_stdin = subprocess.run(NIANBAO + ["extract", "-", "--json", "--url", "http://example.gov.cn/1.html"],
                                input=GOLDEN.read_bytes(), capture_output=True, env=env(), timeout=300)
    assert from_file.returncode == 0 and from_stdin.returncode == 0, from_stdin.stderr
    a, b = json.loads(from_file.stdout), json.loads(from_stdin.stdout)
    assert b["source"] == "-" and b["url"] == "http://example.gov.cn/1.html"
    assert b["status"] == a["status"] == "ok"
    assert b["cells"] == a["cells"] and b["agency"] == a["agency"] and b["report_year"] == a["report_year"]
    truth = json.loads(GOLDEN.with_name(GOLDEN.name.replace(".html", ".truth.json")).read_text(encoding="utf-8"))
    assert {k: v for k, v in b["cells"].items() if k in truth["cells"]} == truth["cells"]


def test_extract_dash_with_nothing_on_standard_input_is_unreadable_not_an_error():
    out = subprocess.run(NIANBAO + ["extract", "-", "--json"], input=b"", capture_output=True, env=env(), timeout=300)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["status"] == "unreadable" and res["reason"] == "empty file" and res["cells"] == {}


def test_standard_input_is_read_once():
    out = subprocess.run(NIANBAO + ["extract", "-", "-"], input=b"x", capture_output=True, text=False, env=env(),
                         timeout=300)
    assert out.returncode == 2
    assert out.stderr.decode().strip() == "nianbao: standard input (-) can be read only once"


@pytest.mark.slow
@pytest.mark.portal
def test_the_readme_runs_the_demo_portal_on_its_own(tmp_path):
    from demoportal import catalog
    from demoportal.server import free_port_base

    n_sites = len(catalog.SITES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^\.venv/bin/python (-m demoportal .*?)\s+#", readme, re.M)
    assert m, "the README's demo portal command"
    argv = m.group(1).split()
    base = free_port_base(n_sites)
    argv[argv.index("--port-base") + 1] = str(base)
    argv[argv.index("--sources") + 1] = str(tmp_path / "demo-sources.yaml")
    proc = subprocess.Popen([sys.executable] + argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env(),
                            cwd=str(tmp_path), text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while not lines or lines[-1].strip() != "Ctrl-C to stop.":
            assert time.monotonic() < deadline and proc.poll() is None, "".join(lines)
            lines.append(proc.stdout.readline())
        doc = yaml.safe_load((tmp_path / "demo-sources.yaml").read_text(encoding="utf-8"))
        urls = [p["url"] for p in doc["portals"]]
        assert len(urls) == n_sites and all(u.startswith("http://127.0.0.1:") for u in urls)
        assert urls[0] == f"http://127.0.0.1:{base}/"
        with urllib.request.urlopen(urls[0], timeout=30) as resp:
            assert resp.status == 200 and resp.read()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
@pytest.mark.portal
def test_crawl_ends_with_one_line_per_portal_that_is_not_ok(tmp_path, capsys):
    """Issue 8 item 4: `nianbao crawl` (like `nianbao run`) names each portal that is not ok, with its reason."""
    from demoportal.portal import start_portal
    from nianbao.cli import main

    portal = start_portal(host="127.0.0.1", slow_seconds=0.5)
    try:
        doc = yaml.safe_load(portal.sources_yaml(["demo-waf", "demo-openness"]))
        for p in doc["portals"]:
            p.update({"delay": 0.05, "retry_backoff": 0.2, "timeout": 20})
        sources = tmp_path / "s.yaml"
        sources.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        rc = main(["crawl", "--sources", str(sources), "--data-dir", str(tmp_path / "data")])
    finally:
        portal.stop()
    out = capsys.readouterr().out
    assert rc == 0, out
    lines = [line.strip() for line in out.splitlines() if line.startswith("  demo-")]
    assert "portals not ok (1)" in out and len(lines) == 1, out
    assert lines[0].startswith("demo-waf (") and " challenged: " in lines[0] and not lines[0].endswith(": "), lines
