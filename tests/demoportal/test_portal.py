"""The demo portal answers real HTTP the way the portals in shared/spec/portals.md do, and expected() matches it."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from demoportal.portal import start_portal
from demoportal.server import free_port_base
from demoportal.sitekit import FILES_DIR, manifest

pytestmark = pytest.mark.portal

ROOT = Path(__file__).resolve().parents[2]
SLOW = 0.6

MAGIC = {"pdf": b"%PDF", "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0",
         "xls": b"\xd0\xcf\x11\xe0", "jpg": b"\xff\xd8\xff"}


# ---------------------------------------------------------------------------------------------------------- helpers

class Resp:
    def __init__(self, status: int, headers, body: bytes, url: str):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


def fetch(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None) -> Resp:
    req = urllib.request.Request(url, data=data, headers={"User-Agent": "nianbao-portal-test/1.0", **(headers or {})},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return Resp(r.status, r.headers, r.read(), r.url)
    except urllib.error.HTTPError as ex:
        return Resp(ex.code, ex.headers, ex.read(), url)


def fetch_ok(url: str, **kw) -> Resp:
    """GET with one retry on 503 (the fail-once path), as a polite crawler would."""
    r = fetch(url, **kw)
    if r.status == 503:
        time.sleep(0.2)
        r = fetch(url, **kw)
    return r


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # href, title attr, text
        self._cur: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            a = dict(attrs)
            self._cur = [a.get("href") or "", a.get("title") or "", ""]

    def handle_data(self, data):
        if self._cur is not None:
            self._cur[2] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._cur is not None:
            self.links.append((self._cur[0], self._cur[1], self._cur[2].strip()))
            self._cur = None


def links(html: str, base: str) -> list[tuple[str, str, str]]:
    p = Links()
    p.feed(html)
    return [(urllib.parse.urljoin(base, h), t, x) for h, t, x in p.links if h and not h.startswith("javascript")]


def strip_query(url: str) -> str:
    return url.split("?", 1)[0]


def site_items(site: dict) -> set[str]:
    return {r["url"] for r in site["reports"]} | {d["url"] for d in site["decoys"]}




# ---------------------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def portal():
    p = start_portal(slow_seconds=SLOW, seed=0)
    yield p
    p.stop()


@pytest.fixture(scope="module")
def exp(portal):
    return portal.expected()


def site(exp, site_id):
    return exp["sites"][site_id]


# ---------------------------------------------------------------------------------------------------------- api & ground truth

def test_sites_ports_and_sources_yaml(portal, tmp_path):
    ids = [s.id for s in portal.sites]
    assert ids == ["demo-trs", "demo-trs-city", "demo-hanweb", "demo-gkmlpt", "demo-openness", "demo-generic", "demo-waf",
                   "demo-jpaas", "demo-xxgk", "demo-script"]
    ports = {urllib.parse.urlsplit(s.base_url).port for s in portal.sites}
    assert len(ports) == len(ids), "each site must be its own host:port"
    for s in portal.sites:
        assert s.base_url.startswith("http://127.0.0.1:") and s.base_url.endswith("/")
        assert re.fullmatch(r"\d{6}", s.region_code)
    path = portal.write_sources(tmp_path / "sub" / "sources.yaml")
    text = path.read_text(encoding="utf-8")
    assert 'region_code: "510703"' in text
    doc = yaml.safe_load(text)
    assert [p["id"] for p in doc["portals"]] == ids
    for entry, s in zip(doc["portals"], portal.sites):
        assert set(entry) == {"id", "name", "url", "platform", "region_code"}
        assert entry["url"] == s.base_url and entry["name"] == s.name
        assert isinstance(entry["region_code"], str)
        assert entry["platform"] in ("auto", "trs", "hanweb", "gkmlpt", "openness", "generic", "jpaas", "xxgk")
    assert {p["platform"] for p in doc["portals"]} >= {"auto", "trs", "hanweb", "gkmlpt", "generic"}
    declared = yaml.safe_load(portal.sources_yaml(platforms="declared"))
    assert [p["platform"] for p in declared["portals"]] == ["trs", "trs", "hanweb", "gkmlpt", "openness", "generic", "auto",
                                                            "jpaas", "xxgk", "auto"]
    only = yaml.safe_load(portal.sources_yaml(site_ids=["demo-hanweb"]))
    assert [p["id"] for p in only["portals"]] == ["demo-hanweb"]


def test_expected_counts_and_shape(exp):
    c = exp["counts"]
    assert 60 <= c["reports"] <= 160
    assert c["reports"] == sum(len(s["reports"]) for s in exp["sites"].values())
    assert c["reports_with_truth"] == c["reports"]
    assert {"html", "pdf", "docx", "doc", "xls", "xlsx", "image"} <= set(c["by_format"])
    assert set(c["by_template"]) == {"2019", "2021"}
    assert {"news", "guide", "rule", "challenge_412", "challenge_521", "deleted", "not_found",
            "robots_disallowed", "interpretation"} <= set(c["decoys_by_kind"])
    cms = {s["cms"] for s in exp["sites"].values()}
    assert cms == {"trs", "hanweb", "gkmlpt", "openness", "generic", "waf", "jpaas", "xxgk", "script"}
    years = {r["report_year"] for r in (r for s in exp["sites"].values() for r in s["reports"])}
    assert years == {2019, 2020, 2021, 2022, 2023, 2024}
    kinds = {r["agency_kind"] for s in exp["sites"].values() for r in s["reports"]}
    assert kinds == {"gov", "dept", "town"}
    urls = [r["url"] for s in exp["sites"].values() for r in s["reports"]]
    assert len(urls) == len(set(urls))
    for s in exp["sites"].values():
        for r in s["reports"]:
            assert r["url"].startswith(s["base_url"])
            t = r["truth"]
            # the page's own title names agency and year; the list's link text is that title, or a noted other form
            assert str(r["report_year"]) in t["title"] and r["agency"] in t["title"]
            assert r["title"] == t["title"] or any(n.startswith("list link text") for n in r["notes"]), r["url"]
            assert t["template"] == r["template"] and t["report_year"] == r["report_year"] and t["agency"] == r["agency"]
            assert len(t["cells"]) in (198, 207)
            assert r["listing_urls"], r["url"]
        for d in s["decoys"]:
            assert d["url"] not in urls


@pytest.mark.slow
def test_deterministic_for_a_seed(exp):
    def norm(e):
        out = json.dumps(e, sort_keys=True, ensure_ascii=False)
        for sid, s in e["sites"].items():
            out = out.replace(s["base_url"], f"<{sid}>/")
        return out

    p2 = start_portal(seed=0, slow_seconds=SLOW)
    try:
        assert norm(p2.expected()) == norm(exp)
    finally:
        p2.stop()
    p3 = start_portal(seed=7, slow_seconds=SLOW)
    try:
        e3 = p3.expected()
    finally:
        p3.stop()
    html0 = {r["key"]: r["truth"]["cells"] for s in exp["sites"].values() for r in s["reports"] if r["format"] == "html"}
    html7 = {r["key"]: r["truth"]["cells"] for s in e3["sites"].values() for r in s["reports"] if r["format"] == "html"}
    assert html0.keys() == html7.keys()
    assert any(html0[k] != html7[k] for k in html0)


def test_second_start_is_cheap():
    t = time.monotonic()
    p = start_portal(slow_seconds=SLOW)
    elapsed = time.monotonic() - t
    p.stop()
    assert elapsed < 2.0


# ---------------------------------------------------------------------------------------------------------- documents

@pytest.mark.slow
def test_every_report_page_and_attachment_answers(exp):
    for s in exp["sites"].values():
        for r in s["reports"]:
            resp = fetch_ok(r["url"])
            assert resp.status == 200, r["url"]
            assert resp.header("Content-Type").startswith("text/html"), r["url"]
            page = resp.body.decode(r["encoding"])
            if s["cms"] == "gkmlpt":
                m = re.search(r"window\._CONFIG\.DETAIL = (\{.*?\});\n</script>", page, re.S)
                detail = json.loads(m.group(1))
                assert detail["title"] == r["title"] and detail["id"] == int(r["url"].rsplit("_", 1)[1][:-5])
            else:
                title = r["truth"]["title"]  # the page's own title (the list may show another text)
                assert title in page or title.replace("（", "(") in page, r["url"]
            for a in r["attachments"]:
                assert a.startswith(s["base_url"])
                ar = fetch_ok(a)
                assert ar.status == 200, a
                ext = {"image": "jpg"}.get(r["format"], r["format"])
                if r["format"] == "html":
                    ext = "pdf"
                assert ar.body.startswith(MAGIC[ext]), (a, ar.body[:8])
                assert not ar.header("Content-Type").startswith("text/html")


def test_attachment_only_reports_carry_the_prebuilt_files(exp):
    man = manifest()["attachments"]
    seen = set()
    for s in exp["sites"].values():
        for r in s["reports"]:
            if r["format"] == "html" and not r["attachments"]:
                continue
            key = next(k for k, v in man.items() if v["truth"]["agency"] == r["agency"]
                       and v["truth"]["report_year"] == r["report_year"])
            seen.add(key)
            assert r["truth"]["cells"] == man[key]["truth"]["cells"]
            bodies = [fetch_ok(a).body for a in r["attachments"]]
            files = [(FILES_DIR / f["file"]).read_bytes() for f in man[key]["files"]]
            assert [hashlib.sha256(b).hexdigest() for b in bodies] == [hashlib.sha256(b).hexdigest() for b in files]
            if r["format"] != "html":
                page = fetch_ok(r["url"]).body.decode(r["encoding"])
                assert "详见附件" in page or "<img" in page
    assert seen == set(man)


def test_attachment_values_match_truth(exp):
    import io

    import openpyxl
    from docx import Document

    rep = {r["format"]: r for s in exp["sites"].values() for r in s["reports"] if r["format"] in ("xlsx", "docx")}
    x = rep["xlsx"]
    wb = openpyxl.load_workbook(io.BytesIO(fetch_ok(x["attachments"][0]).body))
    rows = [[c for c in row if c is not None] for row in wb.active.iter_rows(values_only=True)]
    new_row = next(r for r in rows if r and r[0] == "一、本年新收政府信息公开申请数量")
    cols = ["person", "business", "research", "nonprofit", "legal", "other_org", "total"]
    assert new_row[1:] == [x["truth"]["cells"][f"apply.new.{c}"] for c in cols]
    d = rep["docx"]
    doc = Document(io.BytesIO(fetch_ok(d["attachments"][0]).body))
    review = doc.tables[-1]
    vals = [c.text for c in review.rows[-1].cells]
    want = [d["truth"]["cells"][f"review.{g}.{c}"] for g in ("reconsideration", "suit_direct", "suit_after")
            for c in ("upheld", "corrected", "other", "pending", "total")]
    assert vals == [str(v) if v is not None else "/" for v in want]


def test_gbk_page_without_declaration(exp):
    r = next(r for s in exp["sites"].values() for r in s["reports"] if r["behaviour"] == "gbk_nodecl")
    resp = fetch_ok(r["url"])
    assert resp.status == 200
    assert "charset" not in resp.header("Content-Type").lower()
    assert b"charset" not in resp.body.lower()
    with pytest.raises(UnicodeDecodeError):
        resp.body.decode("utf-8")
    text = resp.body.decode("gbk")
    assert r["title"] in text and "政府信息公开" in text
    # the rest of that site is GBK too, but declared
    col = fetch_ok(site(exp, "demo-trs-city")["column_urls"][0])
    assert b'charset=gb2312' in col.body
    col.body.decode("gbk")


# ---------------------------------------------------------------------------------------------------------- navigation

def test_column_is_reached_by_navigation_text(exp):
    words = re.compile(r"政务公开|政府信息公开|信息公开|年报|年度报告")
    for s in exp["sites"].values():
        if s["challenged"] or s["script_built"]:  # its links exist only after its scripts run (tests/crawlers)
            continue
        path = s["nav_path"]
        assert path[0] == s["base_url"]
        assert len(path) >= 3
        for here, there in zip(path, path[1:]):
            if "/gkmlpt/api/" in there:
                continue
            page = fetch_ok(here)
            assert page.status == 200
            found = [(u, t) for u, _, t in links(page.body.decode(s["encoding"]), here)
                     if urllib.parse.urldefrag(u)[0] == there]
            assert found, (here, there)
            assert any(words.search(t) for _, t in found), found
        home = fetch_ok(s["base_url"]).body.decode(s["encoding"])
        assert "网站标识码" in home and "ICP备" in home
        assert len(links(home, s["base_url"])) >= 20
        assert not any("年报" in t or "年度报告" in t for _, _, t in links(home, s["base_url"])), s["id"]


def test_trs_create_page_html_pagination(exp):
    s = site(exp, "demo-trs")
    col = s["column_urls"][0]
    first = fetch_ok(col).text()
    m = re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', first)
    assert m
    count = int(m.group(1))
    assert count >= 4
    found = set()
    for n in range(count):
        url = col if n == 0 else col.replace("index.html", f"index_{n}.html")
        resp = fetch_ok(url)
        assert resp.status == 200
        if n == count - 1:
            assert len(resp.body) < 300 and b"</html>" not in resp.body  # the broken deep stub
            continue
        assert f'createPageHTML({count}, {n}, "index", "html")' in resp.text()
        found |= {strip_query(u) for u, _, _ in links(resp.text(), url) if "/zfxxgknb/" in u and "/index" not in u}
    assert found == site_items(s)
    assert re.search(r"/zfxxgknb/\d{6}/t\d{8}_\d+\.html$", s["reports"][0]["url"])


def test_trs_six_argument_pager_shtml_and_truncated_titles(exp):
    """demo-trs-city pages with createPageHTML('page_div', N, cur, 'index', 'shtml', total): numbered from 1."""
    s = site(exp, "demo-trs-city")
    col = s["column_urls"][0]
    assert col.endswith("/index.shtml")
    first = fetch_ok(col).body.decode("gbk")
    m = re.search(r"createPageHTML\('page_div',(\d+), 1,'index','shtml',(\d+)\)", first)
    count = int(m.group(1))
    assert count >= 2 and int(m.group(2)) > count
    found = {}
    for n in range(1, count + 1):
        url = col if n == 1 else col.replace("index.shtml", f"index_{n}.shtml")
        html = fetch_ok(url).body.decode("gbk")
        assert f"createPageHTML('page_div',{count}, {n}," in html
        for u, title, text in links(html, url):
            if title and "/ndbg/" in u and "/index" not in u:
                found[strip_query(u)] = (title, text)
    assert set(found) == site_items(s)
    by_url = {r["url"]: r for r in s["reports"]}
    truncated = [u for u, (t, x) in found.items() if x.endswith("...")]
    assert truncated
    for u in truncated:
        if u in by_url:
            assert found[u][0] == by_url[u]["title"]


def test_hanweb_datastore_and_dataproxy(exp):
    s = site(exp, "demo-hanweb")
    col = s["column_urls"][0]
    assert re.search(r"/col/col\d+/index\.html$", col)
    html = fetch_ok(col).text()
    scripts = " ".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S))
    webid = re.search(r"webid[=:]\s*'?(\d+)", scripts).group(1)
    unitid = re.search(r"unitid[=:]\s*'?(\d+)", scripts).group(1)
    columnid = re.search(r"columnid[=:]\s*'?(\d+)", scripts).group(1)
    visible = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    visible = re.sub(r"<[^>]+>", "", visible)
    assert webid not in visible and columnid not in visible
    total = int(re.search(r"totalRecord:\s*(\d+)", scripts).group(1))
    embedded = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", html, re.S)
    assert 0 < len(embedded) < total
    found = {u for u, _, _ in links("".join(embedded), col)}
    form = urllib.parse.urlencode({"col": 1, "appid": 1, "webid": webid, "path": "/", "columnid": columnid,
                                   "sourceContentType": 1, "unitid": unitid, "webname": s["name"],
                                   "permissiontype": 0}).encode()
    proxy = s["base_url"] + "module/web/jpage/dataproxy.jsp"
    per = len(embedded)
    start = per + 1
    while start <= total:
        resp = fetch(f"{proxy}?startrecord={start}&endrecord={start + per - 1}&perpage={per}", data=form)
        assert resp.status == 200 and "xml" in resp.header("Content-Type")
        root = ET.fromstring(resp.body)
        assert root.tag == "datastore" and int(root.findtext("totalrecord")) == total
        recs = [r.text for r in root.iter("record")]
        assert recs
        found |= {u for u, _, _ in links("".join(recs), proxy)}
        start += per
    assert found == site_items(s)
    assert fetch(f"{proxy}?startrecord=1&endrecord=6&perpage=6").status == 405
    bad = urllib.parse.urlencode({"col": 1, "appid": 1, "webid": webid, "path": "/", "columnid": "1",
                                  "unitid": unitid}).encode()
    root = ET.fromstring(fetch(f"{proxy}?startrecord=1&endrecord=6&perpage=6", data=bad).body)
    assert root.findtext("totalrecord") == "0"
    assert all(re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_" + columnid + r"_\d+\.html$", u) for u in found)


def test_gkmlpt_config_api_and_detail(exp):
    s = site(exp, "demo-gkmlpt")
    idx = fetch_ok(s["base_url"] + "gkmlpt/index").text()
    m = re.search(r"window\._CONFIG = \{SID: '(\w+)', TREE: (\[.*?\]), SHOW_WXAPP", idx, re.S)
    sid, tree = m.group(1), json.loads(m.group(2))

    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n["children"])

    nb = [n for n in walk(tree) if "年报" in n["name"]]
    assert len(nb) == 1 and len(list(walk(tree))) > 5
    cat = nb[0]["id"]
    first = json.loads(fetch_ok(f"{s['base_url']}gkmlpt/api/all/{cat}?page=1&sid={sid}").body)
    total = first["total"]
    per = len(first["articles"])
    assert total > per > 0
    arts = []
    for page in range(1, (total + per - 1) // per + 1):
        data = json.loads(fetch_ok(f"{s['base_url']}gkmlpt/api/all/{cat}?page={page}&sid={sid}").body)
        assert data["total"] == total
        arts += data["articles"]
    assert len(arts) == total
    for a in arts:
        assert {"id", "title", "url", "date", "publisher", "identifier", "attachment"} <= set(a)
        assert a["url"].endswith(f"/gkmlpt/content/{a['id'] // 10**6}/{a['id'] // 10**3}/post_{a['id']}.html")
    assert {a["url"] for a in arts} == site_items(s)
    assert any(a["attachment"] for a in arts)
    wrong = json.loads(fetch_ok(f"{s['base_url']}gkmlpt/api/all/{cat}?page=1&sid=1").body)
    assert wrong["articles"] == []
    r = next(r for r in s["reports"] if r["format"] == "html")
    page = fetch_ok(r["url"]).text()
    assert f"SID: '{sid}'" in page
    detail = json.loads(re.search(r"window\._CONFIG\.DETAIL = (\{.*?\});\n</script>", page, re.S).group(1))
    assert "<table" in detail["content"] and detail["title"] == r["title"]
    assert "<table" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)


def test_openness_pages(exp):
    s = site(exp, "demo-openness")
    col = s["column_urls"][0]
    assert re.search(r"/OpennessContent/showList/\d+/\d+/page_1\.html$", col)
    url, found, seen = col, set(), 0
    while url:
        html = fetch_ok(url).text()
        seen += 1
        found |= {u for u, _, _ in links(html, url) if "/OpennessContent/show/" in u}
        nxt = [u for u, _, t in links(html, url) if t == "下一页"]
        if nxt:
            assert any(t == "尾页" for _, _, t in links(html, url))
        url = nxt[0] if nxt else None
    assert seen >= 3
    assert found == site_items(s)
    assert all(re.search(r"/OpennessContent/show/\d+\.html$", u) for u in found)


def test_generic_year_folders_and_next_links(exp):
    s = site(exp, "demo-generic")
    root = s["column_urls"][0]
    html = fetch_ok(root).text()
    folders = [(u, t) for u, _, t in links(html, root) if re.fullmatch(r"\d{4}年", t)]
    assert len({t for _, t in folders}) >= 4
    found: dict[str, tuple[str, str]] = {}
    multi = False
    for furl, ftext in dict(folders).items():
        url = furl
        while url:
            page = fetch_ok(url).text()
            for u, title, _ in links(page, url):
                if title:
                    found[strip_query(u)] = (ftext, title)
            nxt = [u for u, _, t in links(page, url) if t == "下一页"]
            multi |= bool(nxt)
            url = nxt[0] if nxt else None
    assert multi
    assert set(found) == site_items(s)
    by_url = {r["url"]: r for r in s["reports"]}
    off = [u for u, (folder, _) in found.items() if u in by_url and folder != f"{by_url[u]['report_year']}年"]
    assert off and all(found[u][0] == "2020年" and by_url[u]["report_year"] == 2019 for u in off)


# ---------------------------------------------------------------------------------------------------------- hostile

def test_challenges(exp):
    d412 = next(d for s in exp["sites"].values() for d in s["decoys"] if d["kind"] == "challenge_412")
    r = fetch(d412["url"])
    assert r.status == 412
    assert "$_ts" in r.text() and "FSSBBIl1UgzbN7N80S=" in r.header("Set-Cookie")
    cookie = r.header("Set-Cookie").split(";")[0]
    assert fetch(d412["url"], headers={"Cookie": cookie}).status == 412  # headers alone do not pass
    d521 = next(d for s in exp["sites"].values() for d in s["decoys"] if d["kind"] == "challenge_521")
    r = fetch(d521["url"])
    assert r.status == 521 and "__jsl_clearance" in r.text() and "__jsluid" in r.header("Set-Cookie")
    # both are linked from a 年报 list page
    for d in (d412, d521):
        lst = d["listing_urls"][0]
        body = fetch_ok(lst).body.decode(site(exp, d["site_id"])["encoding"])
        assert d["url"] in {strip_query(u) for u, _, _ in links(body, lst)}
    waf = site(exp, "demo-waf")
    assert waf["challenged"] and not waf["reports"]
    for path in ("", "robots.txt", "index.html"):
        r = fetch(waf["base_url"] + path)
        assert r.status == 412 and "$_ts" in r.text()


def test_deleted_404_and_robots(exp):
    deleted = next(d for s in exp["sites"].values() for d in s["decoys"] if d["kind"] == "deleted")
    r = fetch(deleted["url"])
    assert r.status == 200 and re.search(r'http-equiv="refresh" content="0;url=\.\./"', r.text())
    nf = next(d for s in exp["sites"].values() for d in s["decoys"] if d["kind"] == "not_found")
    assert fetch(nf["url"]).status == 404
    for s in exp["sites"].values():
        if s["challenged"]:
            continue
        r = fetch(s["base_url"] + "robots.txt")
        assert r.status == 200 and r.header("Content-Type").startswith("text/plain")
        rp = urllib.robotparser.RobotFileParser()
        rp.parse(r.text().splitlines())
        for rep in s["reports"]:
            assert rp.can_fetch("*", rep["url"]), rep["url"]
        for d in s["decoys"]:
            assert rp.can_fetch("*", d["url"]) == (d["kind"] != "robots_disallowed"), d["url"]
        if s["cms"] == "hanweb":
            assert rp.can_fetch("*", s["base_url"] + "module/web/jpage/dataproxy.jsp")


@pytest.mark.slow
def test_fail_once_then_ok_and_slow_path():
    p = start_portal(slow_seconds=SLOW)
    try:
        e = p.expected()
        r = next(r for s in e["sites"].values() for r in s["reports"] if r["behaviour"] == "fail_once")
        first = fetch(r["url"])
        assert first.status == 503 and first.header("Retry-After")
        assert fetch(r["url"]).status == 200
        assert fetch(r["url"]).status == 200
        slow = next(r for s in e["sites"].values() for r in s["reports"] if r["behaviour"] == "slow")
        t = time.monotonic()
        assert fetch(slow["url"]).status == 200
        assert time.monotonic() - t >= SLOW * 0.9
        log = [x for x in p.request_log if x.path == urllib.parse.urlsplit(r["url"]).path]
        assert [x.status for x in log] == [503, 200, 200]
    finally:
        p.stop()


def test_conditional_get(exp):
    rep = next(r for r in site(exp, "demo-trs")["reports"] if r["format"] == "pdf")
    for url in (rep["url"], rep["attachments"][0]):
        r = fetch_ok(url)
        etag, lm = r.header("ETag"), r.header("Last-Modified")
        assert r.status == 200 and etag and lm
        assert fetch(url, headers={"If-None-Match": etag}).status == 304
        assert fetch(url, headers={"If-Modified-Since": lm}).status == 304
        assert fetch(url, headers={"If-None-Match": '"0-0"'}).status == 200
        assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
    hw = next(r for r in site(exp, "demo-hanweb")["reports"] if r["attachments"])
    a = fetch_ok(hw["attachments"][0])
    assert "attachment;" in a.header("Content-Disposition")
    assert fetch(hw["attachments"][0], headers={"If-None-Match": a.header("ETag")}).status == 304


def test_duplicate_link_with_tracking_query(exp):
    s = site(exp, "demo-trs")
    rep = next(r for r in s["reports"] if r["aliases"])
    alias = rep["aliases"][0]
    assert "?" in alias and strip_query(alias) == rep["url"]
    assert fetch_ok(alias).body == fetch_ok(rep["url"]).body
    lst = fetch_ok(s["column_urls"][0]).text()
    hrefs = [u for u, _, _ in links(lst, s["column_urls"][0])]
    assert alias in hrefs and rep["url"] in hrefs


def test_request_log(portal, exp):
    base = site(exp, "demo-openness")["base_url"]
    t0 = time.time()
    fetch(base + "robots.txt")
    fetch(base + "no/such/page.html?x=1")
    fetch(base + "index.html", method="HEAD")
    entries = [e for e in portal.request_log if e.site_id == "demo-openness" and e.timestamp >= t0 - 0.01]
    assert [(e.method, e.path, e.status) for e in entries[-3:]] == [
        ("GET", "/robots.txt", 200), ("GET", "/no/such/page.html?x=1", 404), ("HEAD", "/index.html", 200)]
    assert entries[-1].headers.get("User-Agent") == "nianbao-portal-test/1.0"
    site_id, method, path, ts, status, headers = entries[-1]
    assert site_id == "demo-openness" and isinstance(ts, float) and isinstance(headers, dict)


# ---------------------------------------------------------------------------------------------------------- increments

def test_mutate_adds_one_report_and_changes_one_page():
    p = start_portal(slow_seconds=SLOW)
    try:
        before = p.expected()
        old = {r["url"]: r for s in before["sites"].values() for r in s["reports"]}
        changed_before = next(r for r in old.values() if r["key"] == "demo-hanweb/03")
        page_before = fetch_ok(changed_before["url"])
        p.mutate()
        after = p.expected()
        assert after["generation"] == 2
        new = {r["url"]: r for s in after["sites"].values() for r in s["reports"]}
        added = set(new) - set(old)
        assert len(added) == 1 and set(old) <= set(new)
        added_r = new[added.pop()]
        assert added_r["generation"] == 2
        changed = [r for r in new.values() if r["changed_in"] == 2]
        assert len(changed) == 1 and changed[0]["url"] == changed_before["url"]
        assert changed[0]["truth"]["cells"] != changed_before["truth"]["cells"]
        page_after = fetch_ok(changed[0]["url"])
        assert page_after.body != page_before.body
        assert page_after.header("ETag") != page_before.header("ETag")
        assert fetch(changed[0]["url"], headers={"If-None-Match": page_before.header("ETag")}).status == 200
        # the new report is linked from the first list page and answers
        assert fetch_ok(added_r["url"]).status == 200
        lst = added_r["listing_urls"][0]
        assert added_r["url"] in {u for u, _, _ in links(fetch_ok(lst).text(), lst)}
        # unchanged pages keep their validators
        same = next(r for r in new.values() if r["site_id"] == "demo-openness")
        assert fetch(same["url"], headers={"If-None-Match": fetch_ok(same["url"]).header("ETag")}).status == 304
    finally:
        p.stop()
    p2 = start_portal(slow_seconds=SLOW, generation=2)
    try:
        assert p2.expected()["counts"] == after["counts"]
    finally:
        p2.stop()


# ---------------------------------------------------------------------------------------------------------- CLI

@pytest.mark.slow
def test_module_cli_serves_until_interrupted(tmp_path):
    base = free_port_base(7)
    src = tmp_path / "sources.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "demoportal", "--port-base", str(base), "--sources", str(src)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C" in line:
                break
        out = "".join(lines)
        assert f"http://127.0.0.1:{base}/" in out and f"http://127.0.0.1:{base + 6}/" in out, out
        assert fetch(f"http://127.0.0.1:{base}/").status == 200
        assert yaml.safe_load(src.read_text(encoding="utf-8"))["portals"][0]["url"] == f"http://127.0.0.1:{base}/"
    finally:
        proc.send_signal(2)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert rc == 0


def test_stop_closes_listeners_and_keepalive_connections():
    import http.client

    p = start_portal(slow_seconds=SLOW)
    base = p.sites[0].base_url
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("GET", "/robots.txt")
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Content-Length")
    r.read()
    p.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("GET", "/robots.txt")
        conn.getresponse()
    with pytest.raises(OSError):
        socket.create_connection((host, port), timeout=2).close()
    p.stop()  # idempotent
