"""The spider's side of the rendering fallback (crawlers/render.py): when to render, and reading what came back.

A navigation page is rendered when static reading failed on it:

- a list page (column or list) that gave no entry and no other page to fetch (a shell: the list is drawn by
  script), at once;
- when the portal is otherwise done: the column start pages of a column that gave no report at all, or fewer
  rows than its own count says (共N条, `div.pagination[count]`, `totalRecord`); the home page (then the
  navigation pages visited) of a portal whose 年报 column was not found (a menu drawn by script).

A rendered page is read like a fetched one (discovery for home and navigation pages, the platform adapters for
lists) from its rendered DOM with its frames, and the answers it fetched (XHR / fetch) are read as lists too; when
one of them says how long the list is, its other pages are requested directly (crawlers/xhrlist.py).
Counts per portal: `rendered` (pages), `render_ms`, `render_subrequests`, `render_skipped` (images, fonts …),
`render_cut_off`, `render_timeouts`, `render_failed`, `render_over_budget`, `render_unavailable`, `xhr_pages`.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.http import Response

from core.sniff import sniff
from core.titles import excluded_kind, is_report_title

from ..platforms import ListResult, url_dir
from ..page import Page
from ..render import RENDERED_HEADER, Captured, Renderer, install, rendered_of
from ..store import utcnow
from ..xhrlist import counts_in_payload, counts_in_text, entries_from_payload, other_pages, paged_request, parse_payload

logger = logging.getLogger(__name__)


# Request meta the spider sets itself (everything else starting with nb_ is a platform's state: nb_jpaas, nb_xxgk …).
_SPIDER_META = {"nb_portal", "nb_role", "nb_url", "nb_title", "nb_listing", "nb_parent", "nb_date", "nb_depth",
                "nb_sig", "nb_tls", "nb_backoff", "nb_prev_sha", "nb_new", "nb_column_root", "nb_column_start",
                "nb_source_of", "nb_remembered", "nb_rest_pages", "nb_known_sha", "nb_hops", "nb_challenge",
                "nb_render", "nb_reader", "nb_https_fallback", "nb_unit", "nb_unit_dir", "nb_ranked"}


@dataclass
class RenderState:
    """Per portal: what was rendered, and what the static reading of its lists saw against what they declared."""

    requested: set[str] = field(default_factory=set)
    declared: dict[str, int] = field(default_factory=dict)  # column root -> the largest count a list page declared
    rows_seen: Counter = field(default_factory=Counter)  # column root -> rows read statically
    starts: dict[str, str] = field(default_factory=dict)  # column root -> its start page
    nav_pages: list[str] = field(default_factory=list)  # navigation pages read while looking for the column
    home_url: str | None = None
    end_rounds: int = 0


class RenderingMixin:
    """Mixed into the portal spider; uses its `req`, `discover`, `handle_list`, `schedule_report` and `item`."""

    renderer: Renderer | None = None
    render_off_reason: str | None = None

    # --- set-up -----------------------------------------------------------------------------------------------
    def setup_rendering(self, crawler: Any) -> None:
        self._render: dict[str, RenderState] = {}
        wanted = [ctx for ctx in self.portals.values() if ctx.portal.render != "off"]
        reason = install(crawler.settings, crawler.settings.get("USER_AGENT"), want=bool(wanted))
        if reason:
            self.render_off_reason = reason
            if wanted:
                logger.warning("rendering fallback off: %s", reason)
            return
        d = self.sources.defaults
        self.renderer = Renderer(crawler, float(d["delay"]), float(d["jitter"]))

    def rstate(self, ctx: Any) -> RenderState:
        st = self._render.get(ctx.portal.id)
        if st is None:
            st = self._render[ctx.portal.id] = RenderState()
        return st

    # --- asking for a rendering -------------------------------------------------------------------------------
    def render_request(self, ctx: Any, url: str, role: str, why: str, meta: dict[str, Any] | None = None,
                       listing: str | None = None, title: str | None = None, depth: int = 0) -> Request | None:
        p = ctx.portal
        st = self.rstate(ctx)
        if p.render == "off" or url in st.requested:
            return None
        if self.renderer is None:
            if ctx.counts["render_unavailable"] == 0:
                ctx.errors.append(f"needs rendering ({why}) but {self.render_off_reason}"[:300])
            ctx.counts["render_unavailable"] += 1
            st.requested.add(url)
            return None
        if len(st.requested) >= p.render_max_pages:
            ctx.counts["render_over_budget"] += 1
            return None
        st.requested.add(url)
        m = dict(meta or {})
        m.update(self.renderer.meta(url, float(p.render_timeout)))
        m.update({"nb_render": why})
        logger.info("portal %s: rendering %s (%s)", p.id, url, why)
        return self.req(ctx, url, role, title=title, listing=listing, depth=depth, meta=m)

    def render_after_list(self, ctx: Any, page: Page, meta: dict[str, Any], res: ListResult,
                          unchanged: bool = False) -> list[Any]:
        """After the static reading of a list page: note its rows against its declared count; render a shell.
        Between full walks (walk_days) an unchanged shell is not rendered again: the list APIs and frame documents
        its last rendering read from are asked for directly instead (their first page: new reports come first)."""
        if meta.get("nb_render") or meta.get("nb_reader"):
            return []
        st = self.rstate(ctx)
        root = meta.get("nb_column_root") or url_dir(page.url)
        if meta.get("nb_column_start") or meta.get("nb_role") in ("home", "column"):
            st.starts.setdefault(root, meta.get("nb_url") or page.url)
        rows = {e.url for e in res.entries} | {l.url for l in page.links() if l.date and not l.in_chrome}
        st.rows_seen[root] += len(rows)
        declared = counts_in_text(page.text).total
        if declared:
            st.declared[root] = max(st.declared.get(root, 0), declared)
        if not res.entries and not res.follow and not rows and _is_document(page):
            if unchanged and not ctx.walk:
                return self.rendered_sources_again(ctx, meta.get("nb_url") or page.url, meta)
            r = self.render_request(ctx, meta.get("nb_url") or page.url, "list", "no list in the page",
                                    meta={k: v for k, v in meta.items() if k in ("nb_column_root", "nb_column_start")},
                                    listing=meta.get("nb_listing"), title=meta.get("nb_title"),
                                    depth=meta.get("nb_depth", 0))
            return [r] if r is not None else []
        return []

    def note_nav_page(self, ctx: Any, url: str, role: str) -> None:
        st = self.rstate(ctx)
        if role == "home":
            st.home_url = st.home_url or url
        elif url not in st.nav_pages:
            st.nav_pages.append(url)

    def render_at_end(self, ctx: Any) -> list[Any]:
        """The portal is otherwise done: render what static reading could not read (see the module doc)."""
        if ctx.portal.render == "off" or ctx.challenged:
            return []
        st = self.rstate(ctx)
        st.end_rounds += 1
        if st.end_rounds > ctx.portal.render_max_pages + 2:
            return []
        out: list[Any] = []
        if not ctx.column_found:
            if not ctx.home_ok:
                return []
            for url in [st.home_url or ctx.portal.url, *st.nav_pages]:
                if url in st.requested:
                    continue
                role = "home" if url == (st.home_url or ctx.portal.url) else "column"
                r = self.render_request(ctx, url, role, "no 年报 column found by static reading")
                if r is not None:
                    out.append(r)
                    break  # one page at a time: what it shows decides what comes next
            return out
        if not ctx.reports:
            for url in ctx.column_urls:
                r = self.render_request(ctx, url, "list", "the column gave no report",
                                        meta={"nb_column_root": url_dir(url), "nb_column_start": True})
                if r is not None:
                    out.append(r)
            return out
        # Fewer rows than declared: only on a full walk (between walks a list is read until its first page that
        # shows nothing new, by design) and when no limit cut the list short.
        if ctx.walk and not ctx.counts.get("list_pages_capped") and not ctx.counts.get("pages_skipped") \
                and not ctx.caps:
            for root, declared in st.declared.items():
                if declared > st.rows_seen[root] and root in st.starts:
                    r = self.render_request(ctx, st.starts[root], "list",
                                            f"the list says {declared} rows, static reading found {st.rows_seen[root]}",
                                            meta={"nb_column_root": root, "nb_column_start": True})
                    if r is not None:
                        out.append(r)
        return out

    # --- reading a rendering ----------------------------------------------------------------------------------
    def handle_rendered(self, ctx: Any, response: Response) -> list[Any]:
        meta = response.meta
        role = meta["nb_role"]
        r = rendered_of(response)
        if r is None:
            ctx.counts["render_failed"] += 1
            ctx.errors.append(f"rendering gave nothing: {meta['nb_url']}"[:300])
            return [self.item(ctx, response.request, response, "error", error="rendering gave nothing")]
        c = ctx.counts
        c["rendered"] += 1
        c["render_ms"] += int(r.seconds * 1000)
        c["render_subrequests"] += r.subrequests
        c["render_skipped"] += r.skipped
        c["render_cut_off"] += r.cut_off
        c["render_timeouts"] += int(r.timed_out)
        out: list[Any] = self.rendered_rows(ctx, response, r)
        nav = r.navigation
        if nav is None or (nav.status or 0) >= 400:
            c["render_failed"] += 1
            return out
        page = r.page()
        if role in ("home", "column"):
            out.extend(self.discover(ctx, page, response))
        else:
            out.extend(self.handle_list(ctx, page, response))
        out.extend(self.read_fetched(ctx, r, meta))
        return out

    def rendered_rows(self, ctx: Any, response: Response, r: Any) -> list[Any]:
        """One manifest row per answer the browser received (raw bytes, as for any fetch)."""
        meta = response.meta
        role = meta["nb_role"]
        sub_role = "list" if role == "list" else "column"
        rows = []
        for cap in r.captured:
            if cap.is_navigation:
                headers = dict(cap.headers)
                headers[RENDERED_HEADER] = f"chromium {r.seconds:.2f}s"
                it = self._captured_item(ctx, cap, role=role, url=meta["nb_url"], headers=headers,
                                         listing=meta.get("nb_listing"), title=meta.get("nb_title"))
            else:
                headers = dict(cap.headers)
                headers[RENDERED_HEADER] = f"subrequest of {meta['nb_url']}"
                it = self._captured_item(ctx, cap, role=sub_role, url=cap.url, headers=headers,
                                         listing=meta["nb_url"], title=f"(rendered: {cap.resource_type})")
            rows.append(it)
        if not any(cap.is_navigation for cap in r.captured):
            rows.append(self.item(ctx, response.request, response, "error",
                                  error="rendered, but the browser kept no body of the page"))
        return rows

    def _captured_item(self, ctx: Any, cap: Captured, *, role: str, url: str, headers: dict[str, str],
                       listing: str | None, title: str | None) -> Any:
        from ..items import FetchItem
        import hashlib

        body = cap.body
        state = "ok" if cap.status is not None and cap.status < 400 else "error"
        if state == "error" and not cap.is_navigation:
            ctx.counts["render_subrequest_errors"] += 1
        error = None
        if cap.status is None:
            error = "no answer before the rendered page was read (render_timeout)"
        elif state == "error":
            error = f"HTTP {cap.status}"
        return FetchItem(
            run_id=self.run_id, portal_id=ctx.portal.id, url=url, final_url=cap.url, status=cap.status,
            headers={k.lower(): v for k, v in headers.items()}, fetched_at=utcnow(),
            sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
            size=len(body) if body is not None else None, detected_type=sniff(body) if body else "empty",
            role=role, listing_url=listing, link_title=title, parent_url=None, list_date=None, state=state,
            error=error, redirects=[], body=body,
            etag=headers.get("etag"), last_modified=headers.get("last-modified"), list_sig=None, key=url,
            method=cap.method,
        )

    def read_fetched(self, ctx: Any, r: Any, meta: dict[str, Any]) -> list[Any]:
        """The lists in the answers the page fetched; the other pages of a list whose answer says its length."""
        out: list[Any] = []
        root = meta.get("nb_column_root") or url_dir(meta["nb_url"])
        for cap in r.fetched():
            if cap.resource_type == "document":  # a frame: read in the rendered DOM; remembered for the next runs
                frame_list = xhr_list(cap.url, cap.body or b"") if cap.method == "GET" else None
                if frame_list and frame_list[0]:
                    self.state.record_rendered_source(ctx.portal.id, meta["nb_url"], cap.url, "GET", None, None,
                                                      "frame", self.run_id)
                continue
            res = xhr_list(cap.url, cap.body or b"")
            if res is None:
                continue
            entries, counts = res
            if entries:
                self.state.record_rendered_source(ctx.portal.id, meta["nb_url"], cap.url, cap.method, cap.post_data,
                                                  cap.request_headers.get("content-type"), "api", self.run_id)
            in_column = meta["nb_role"] == "list"
            for e in entries:  # the same rules as a list page's entries (discovery.handle_list)
                ranked = is_report_title(e.title)
                if in_column:
                    ctx.counts["entries"] += 1
                    if not ranked and excluded_kind(e.title):
                        ctx.counts["excluded"] += 1
                        continue
                elif not ranked:
                    ctx.counts["decoys"] += 1
                    continue
                req = self.schedule_report(ctx, e.url, e.title, e.date, cap.url, ranked=ranked)
                if req is not None:
                    out.append(req)
                    if not ranked:
                        ctx.counts["unranked"] += 1
            if not entries:
                continue
            pr = paged_request(cap.url, cap.method, cap.post_data, cap.request_headers.get("content-type"))
            if pr is None:
                continue
            room = max(0, ctx.portal.max_list_pages - ctx.counts["list_requests"])
            for f in other_pages(pr, counts, len(entries), room):
                q = self.req(ctx, f.url, "list", title=f"(list API of {meta['nb_url']})", listing=meta["nb_url"],
                             method=f.method, body=f.body, headers=f.headers,
                             meta={"nb_reader": "xhr", "nb_column_root": root}, conditional=f.method == "GET")
                if q is not None:
                    ctx.counts["xhr_pages"] += 1
                    out.append(q)
        return out

    def rendered_sources_again(self, ctx: Any, page_url: str, meta: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        ctx.counts["render_skipped_unchanged"] += 1
        for prev, title, listing in self.state.known_reports(ctx.portal.id):
            if listing == page_url:  # its rows are in the unchanged page: its entries, as the list gave them
                try:
                    date = (json.loads(prev.list_sig or "null") or [None, None])[1]
                except (ValueError, TypeError, IndexError):
                    date = None
                r = self.schedule_report(ctx, prev.url, title or "", date, page_url)
                if r is not None:
                    out.append(r)
        root = meta.get("nb_column_root") or url_dir(page_url)
        for src in self.state.rendered_sources(ctx.portal.id, page_url):
            headers = {"X-Requested-With": "XMLHttpRequest"} if src["kind"] == "api" else {}
            if src["content_type"]:
                headers["Content-Type"] = src["content_type"]
            extra = {"nb_column_root": root}
            if src["kind"] == "api":
                extra["nb_reader"] = "xhr"
            r = self.req(ctx, src["url"], "list", title=f"(source of {page_url})", listing=page_url,
                         method=src["method"], body=src["body"], headers=headers or None, meta=extra,
                         conditional=src["method"] == "GET")
            if r is not None:
                ctx.counts["xhr_pages"] += src["kind"] == "api"
                out.append(r)
        return out

    def remember_list_source(self, ctx: Any, meta: dict[str, Any], response: Response, res: ListResult,
                             page: Page) -> None:
        """On a full walk: the list API a platform file reached from a shell column page (an answer with entries,
        or any answer that is not a web page: an empty list is a list too), kept so that between walks the API is
        asked directly instead of the shell (and its tree or first hop)."""
        if not (ctx.walk and meta.get("nb_source_of") and meta.get("nb_role") == "list") \
                or meta.get("nb_reader") or meta.get("nb_render") or not (res.entries or not _is_document(page)):
            return
        req = response.request
        body = req.body.decode("utf-8", "replace") if req.body else None
        ctype = (req.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        platform_meta = {k: v for k, v in meta.items() if k.startswith("nb_") and k not in _SPIDER_META}
        try:
            json.dumps(platform_meta)
        except (TypeError, ValueError):
            return
        self.state.record_rendered_source(ctx.portal.id, meta["nb_source_of"], meta["nb_url"], req.method, body,
                                          ctype, "platform", self.run_id, meta=platform_meta)

    def list_sources_of(self, ctx: Any, column_url: str) -> list[Any]:
        """Between full walks: the requests that read a remembered shell column's list directly."""
        sources = self.state.rendered_sources(ctx.portal.id, column_url) if not ctx.walk else []
        if not sources:
            return []
        out: list[Any] = []
        for src in sources:
            headers = {"X-Requested-With": "XMLHttpRequest"} if src["kind"] in ("api", "platform") else {}
            if src["content_type"]:
                headers["Content-Type"] = src["content_type"]
            extra = {**src["meta"], "nb_column_root": url_dir(column_url), "nb_source_of": column_url}
            if src["kind"] == "api":
                extra["nb_reader"] = "xhr"
            r = self.req(ctx, src["url"], "list", title=f"(list source of {column_url})", listing=column_url,
                         method=src["method"], body=src["body"], headers=headers or None, meta=extra,
                         conditional=src["method"] == "GET")
            if r is not None:
                out.append(r)
        if out:
            ctx.counts["list_sources_direct"] += len(out)
            if column_url not in ctx.column_urls:
                ctx.column_urls.append(column_url)
        return out

    def render_failure(self, ctx: Any, request: Request, exc: BaseException) -> list[Any]:
        """A rendering that failed (time limit, browser crash): counted, never an error of the portal's pages."""
        ctx.counts["render_failed"] += 1
        msg = f"rendering failed: {type(exc).__name__}: {exc}"[:300]
        ctx.errors.append(f"{msg} {request.url}"[:300])
        return [self.item(ctx, request, None, "error", error=msg)]


def _is_document(page: Page) -> bool:
    """A web page a browser would show (not a JSON answer or an HTML fragment of a list API)."""
    return re.search(r"<(html|body|head)\b", page.text[:5000], re.I) is not None


def xhr_list(url: str, body: bytes) -> tuple[list[Any], Any] | None:
    """(entries, counts) of a list answer (JSON, JSONP or an HTML fragment), or None when it is no list."""
    obj = parse_payload(body)
    if obj is not None:
        return entries_from_payload(obj, url), counts_in_payload(obj)
    text = body.decode("utf-8", "replace")
    if "<a" not in text.lower():
        return None
    page = Page(url, body)
    from ..platforms.base import Entry

    entries = [Entry(url=l.url, title=l.text, date=l.date) for l in page.links() if len(l.text) >= 4]
    return entries, counts_in_text(page.text)


def xhr_list_result(page: Page) -> ListResult:
    """A replayed page of a list API, read like the first one was."""
    res = xhr_list(page.url, page.body or page.text.encode("utf-8"))
    return ListResult(platform="xhr", entries=res[0] if res else [])
