"""Fixtures for the crawl tests: the demo portal served on 127.0.0.1, and sources files with tiny delays."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

# Politeness for tests: tiny but real delays, so the tests stay quick and the rate check means something.
TEST_DELAY = 0.15
TEST_JITTER = 0.2


def write_sources(portal: Any, path: Path, site_ids: list[str] | None = None, *, defaults: dict | None = None,
                  overrides: dict[str, dict] | None = None) -> Path:
    """The portal's own sources file, plus test politeness defaults and per-portal overrides."""
    doc = yaml.safe_load(portal.sources_yaml(site_ids))
    doc["version"] = 1
    doc["defaults"] = {"delay": TEST_DELAY, "jitter": TEST_JITTER, "concurrency": 1, "retry_backoff": 0.2,
                       "timeout": 20, **(defaults or {})}
    for entry in doc["portals"]:
        entry.update((overrides or {}).get(entry["id"], {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def manifest_rows(run_dir: Path) -> list[dict]:
    path = Path(run_dir) / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def log_url(portal: Any, entry: Any) -> str:
    return portal.site(entry.site_id).base_url.rstrip("/") + entry.path


@pytest.fixture(scope="module")
def portal():
    from demoportal.portal import start_portal

    p = start_portal(slow_seconds=1.5)
    try:
        yield p
    finally:
        p.stop()
