"""The contract every registered platform keeps (one test, run over the whole registry).

A platform is one file under crawlers/platforms/, under 150 lines, with saved pages (each labelled real or
synthetic in SOURCE.txt) and a test module of its own; each saved list page is recognised as its platform and
parses into absolute URLs. Adding a platform without these fails here.
"""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from crawlers.platforms import PLATFORMS, ListResult, detect, platform_names
from crawlers.sources import platform_choices

from tests.crawlers.platforms.saved import KINDS, LABELS, PAGES, saved_pages

pytestmark = pytest.mark.timeout(60)
MAX_LINES = 150
TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", platform_names())
def test_platform_keeps_the_contract(name):
    platform = PLATFORMS[name]
    source = Path(inspect.getsourcefile(type(platform)))
    assert source.parent.name == "platforms" and source.stem == name
    assert len(source.read_text(encoding="utf-8").splitlines()) < MAX_LINES
    assert (TESTS / f"test_{name}.py").exists()
    pages = saved_pages(name)
    files = {p.name for p in (PAGES / name).iterdir() if p.name != "SOURCE.txt"}
    assert {p.file for p in pages} == files  # every saved file is described, every description has its file
    assert all(p.kind in KINDS and p.label in LABELS and p.url.startswith(("http://", "https://")) and p.evidence
               for p in pages)
    lists = [p for p in pages if p.kind in ("list", "api")]
    assert lists
    for saved in lists:
        page = saved.page()
        if saved.kind == "list":
            assert detect(page) is platform, saved.file
        res = platform.parse_list(page, {"nb_gkmlpt": {"first": True}} if saved.kind == "api" else {})
        assert isinstance(res, ListResult) and res.platform == name
        assert res.entries or res.follow, saved.file
        urls = [e.url for e in res.entries] + [f.url for f in res.follow]
        assert all(u.startswith(("http://", "https://")) for u in urls), saved.file


def test_registry_feeds_sources_cli_and_spiders():
    from crawlers.spiders.portal import PLATFORM_SPIDERS

    assert platform_choices() == ("auto", *platform_names())
    assert set(PLATFORM_SPIDERS) == set(platform_names())
    assert all(cls.name == f"nianbao-{n}" and cls.force_platform == n for n, cls in PLATFORM_SPIDERS.items())
    assert platform_names()[-1] == "generic"  # the fallback is tried last
