"""HTML report pages: the page is parsed once (lexbor, through selectolax), then walked once.

Data tables (tables without tables inside) become structured cells, one per `<td>`, in DOM order
(spans are not expanded: the parser anchors on labels, not on grid columns).  Layout tables
(tables holding tables) are walked like divs.  Text outside tables becomes free lines; lines that
are only link text (menus, "related reports" sidebars) are kept out of the title search.
Guangdong gkmlpt pages carry the body as JSON in `window._CONFIG.DETAIL`; it is unpacked first.

Why lexbor: on the golden HTML pages the whole reader (parse + walk + cells) costs 1.5-2.0 ms of CPU per page with
selectolax/lexbor against 2.4-3.4 ms with lxml (same cells, same titles on all 72 pages, golden gate 100%).  The walk
is iterative (no recursion), a data table's cells take their text from lexbor in one call each, and <br> is turned
into a line break in the source before parsing (as the lxml walker did by hand).  lxml still reads the <head> for
trafilatura's meta-title logic (examine_meta reads only the head).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser

from core.decode import decode_bytes
from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings
from ..textnorm import clean_space

BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
    "header", "footer", "nav", "dl", "dt", "dd", "form", "center", "blockquote", "pre", "hr", "td", "th", "tbody",
    "thead", "tfoot", "aside", "main", "figure", "figcaption", "caption", "address", "body", "html", "option",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head", "select",
                       "textarea", "button"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|et|zip|rar|jpe?g|png|gif|bmp|tiff?)(?:$|[?#])", re.I)
_TITLE_CLASS = re.compile(r"title|bt|biaoti|tit\b|headline", re.I)
_CRUMB_CLASS = re.compile(r"crumb|position|location|dqwz|weizhi|nav-path|path", re.I)
_REPORT_LINK = re.compile(r"(?:19|20)\d{2}\s*年.{0,12}(?:年度报告|工作报告|年报)")
_CELL_TAGS = frozenset({"td", "th"})
_MARKS: dict[str, tuple[bool, bool]] = {}  # class + " " + id -> (names a title, names a breadcrumb)
_DETAIL = re.compile(r"_CONFIG\.DETAIL\s*=\s*|\bDETAIL\s*:\s*")


def _gkmlpt_detail(html: str) -> dict | None:
    """The JSON object assigned to window._CONFIG.DETAIL, if the page has one."""
    for m in _DETAIL.finditer(html):
        start = html.find("{", m.end(), m.end() + 20)
        if start < 0:
            continue
        try:
            obj, _ = json.JSONDecoder().raw_decode(html, start)
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def _detail_fields(detail: dict) -> tuple[str | None, dict[str, str]]:
    """(HTML content, metadata fields) of a gkmlpt DETAIL object, whatever its key names."""
    content = None
    meta: dict[str, str] = {}
    for key, val in detail.items():
        k = key.lower()
        if isinstance(val, str) and "<" in val and (content is None or len(val) > len(content)):
            content = val
        elif isinstance(val, (str, int, float)) and val != "":
            if "title" in k:
                meta["detail:title"] = str(val)
            elif k in ("date", "publish_date", "pubdate", "publish_time", "display_publish_time", "created_at", "time"):
                meta["detail:date"] = str(val)
            elif k in ("publisher", "source", "organ", "unit", "publisher_name", "fbjg"):
                meta["发布机构"] = str(val)
            elif k in ("identifier", "index", "syh", "index_no"):
                meta["信息索引号"] = str(val)
    return content, meta


class _Walker:
    """One walk over a lexbor tree: free lines, table cells, headings, links, images, in reading order."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.lines: list[str] = []  # non-link text lines, for titles and fields
        self.headings: list[str] = []
        self.headings_crumb: str | None = None
        self.links: list[tuple[str, str]] = []
        self.images = 0
        self.tables = 0
        self.report_links = 0
        self._buf: list[str] = []
        self._buf_link: list[bool] = []
        self._layout: set[int] = set()  # mem_id of the tables that hold tables (walked like divs)
        self._media: dict[int, list] = {}  # mem_id of a table -> the img and a elements whose nearest table it is

    def _index_tables(self, root) -> None:
        """Which tables hold tables, and which img/a each table holds: two queries over the whole tree instead of
        two per table (a CSS query costs about as much as reading a table's cells)."""
        layout: set[int] = set()
        for inner in root.css("table table"):
            p = inner.parent
            while p is not None:
                if p.tag == "table":
                    layout.add(p.mem_id)
                p = p.parent
        media: dict[int, list] = {}
        for el in root.css("table img, table a"):
            p = el.parent
            while p is not None and p.tag != "table":
                p = p.parent
            if p is not None:
                media.setdefault(p.mem_id, []).append(el)
        self._layout, self._media = layout, media

    def _flush(self) -> None:
        """End a block: its lines become free cells; its non-link text becomes text lines.

        Link text is kept out of `lines` because menus and "related reports" lists hold other
        reports' titles, which must not be taken for this report's title or fields.
        """
        buf, links = self._buf, self._buf_link
        if not buf:
            return
        self._buf = []
        self._buf_link = []
        kept = [line for line in map(clean_space, "".join(buf).split("\n")) if line]
        cells = self.cells
        for line in kept:
            cells.append(Cell(line))
        if True not in links:
            self.lines.extend(kept)  # no link text: the text lines are the lines just kept
            return
        own = "".join(p for p, is_link in zip(buf, links) if not is_link)
        if own.strip():
            self.lines.extend(line for line in map(clean_space, own.split("\n")) if line)

    def walk(self, root) -> None:
        """Depth first, without recursion: (node, in_link) entries, and None marks the end of a block."""
        self._index_tables(root)
        layout = self._layout
        marks_seen = _MARKS
        stack: list = [(root, False)]
        pop, push = stack.pop, stack.append
        buf, buf_link = self._buf, self._buf_link
        while stack:
            item = pop()
            if item is None:
                if buf:
                    self._flush()
                    buf, buf_link = self._buf, self._buf_link
                continue
            node, in_link = item
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text:
                    buf.append(text)
                    buf_link.append(in_link)
                continue
            if tag[0] == "-" or tag in SKIP_TAGS:  # comments, doctype; script, style, ...
                continue
            if tag == "img":
                self.images += 1
                continue
            if tag == "br":
                if buf:
                    self._flush()
                    buf, buf_link = self._buf, self._buf_link
                continue
            if tag == "table" and node.mem_id not in layout:  # a data table: no table inside
                if buf:
                    self._flush()
                    buf, buf_link = self._buf, self._buf_link
                self._table(node)
                continue
            block = tag in BLOCK_TAGS
            if block and buf:
                self._flush()
                buf, buf_link = self._buf, self._buf_link
            attrs = node.attributes
            if tag == "a":
                href = attrs.get("href") or ""
                label = clean_space(node.text(deep=True))
                if ATTACHMENT_EXT.search(href) or "附件" in label:
                    self.links.append((href, label))
                elif _REPORT_LINK.search(label or attrs.get("title") or ""):
                    self.report_links += 1
                in_link = True
            if attrs:
                marks = (attrs.get("class") or "") + " " + (attrs.get("id") or "")
                flags = marks_seen.get(marks)
                if flags is None:  # class names repeat on a page and across a portal's pages
                    flags = (_TITLE_CLASS.search(marks) is not None, _CRUMB_CLASS.search(marks) is not None)
                    if len(marks_seen) < 50_000:
                        marks_seen[marks] = flags
                if flags[0] and tag != "a" and block and tag not in HEADING_TAGS:
                    self._heading(node)
                if flags[1]:
                    text = clean_space(node.text(deep=True))
                    if text and len(text) < 300:
                        self.headings_crumb = text
            if tag in HEADING_TAGS:
                self._heading(node)
            if block:
                push(None)
            child = node.last_child  # every child (elements, text, comments), pushed last first
            while child is not None:
                push((child, in_link))
                child = child.prev

    def _heading(self, node) -> None:
        text = clean_space(node.text(deep=True))
        if 4 <= len(text) <= 120:
            self.headings.append(text)

    def _table(self, table) -> None:
        tid = self.tables
        self.tables += 1
        row = 0
        cells, lines = self.cells, self.lines
        for tr in _rows(table):
            row += 1
            for td in tr.iter():
                if td.tag not in _CELL_TAGS:
                    continue
                text = td.text(deep=True)  # <br> is already "\n" (see parse_html_text)
                if not text.isalnum():  # "0", "12", "规章": nothing to collapse (clean_space)
                    text = clean_space(text)
                cells.append(Cell(text, tid, row))
                if text:
                    lines.append(text)
        for el in self._media.get(table.mem_id, ()):
            if el.tag == "img":
                self.images += 1
            else:
                href = el.attributes.get("href") or ""
                if ATTACHMENT_EXT.search(href):
                    self.links.append((href, clean_space(el.text(deep=True))))


def _rows(table) -> Iterator:
    for child in table.iter():
        t = child.tag
        if t == "tr":
            yield child
        elif t in ("tbody", "thead", "tfoot"):
            yield from (r for r in child.iter() if r.tag == "tr")


def _page_meta(tree) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in tree.css("meta"):
        a = m.attributes
        name = (a.get("name") or a.get("property") or a.get("http-equiv") or "").strip().lower()
        content = (a.get("content") or "").strip()
        if name and content:
            meta.setdefault(f"meta:{name}", content)
    title = tree.css_first("title")
    if title is not None:
        text = clean_space(title.text(deep=True))
        if text:
            meta["title_tag"] = text
    return meta


def parse_html_text(text: str) -> ParsedDocument:
    """Read a decoded page (also used for HTML embedded in other containers)."""
    meta: dict[str, str] = {}
    detail = _gkmlpt_detail(text) if "DETAIL" in text else None
    # A line break is a line break wherever it stands: in a cell (read as a space), in a block (the line ends).
    text = _BR.sub("\n", text)
    try:
        tree = LexborHTMLParser(text)
    except Exception:  # noqa: BLE001 - the parser's own errors: the page is reported, not read
        return ParsedDocument(format="html", layout="none", cells=[], text="", status="unreadable",
                              reason="HTML could not be parsed")
    meta.update(_page_meta(tree))
    title = _trafilatura_title(text) or meta.get("title_tag")
    walker = _Walker()
    body = tree.body if tree.body is not None else tree.root
    if body is None:
        return ParsedDocument(format="html", layout="none", cells=[], text="", status="unreadable",
                              reason="HTML could not be parsed")
    if detail:
        content, detail_meta = _detail_fields(detail)
        meta.update(detail_meta)
        walker.walk(body)
        walker._flush()
        if content:
            # The page itself is an empty shell around the JSON; walk its chrome, then the body.
            inner = LexborHTMLParser(f"<div>{_BR.sub(chr(10), content)}</div>").body
            if meta.get("detail:title"):
                walker.headings.insert(0, meta["detail:title"])
            if inner is not None:
                walker.walk(inner)
    else:
        walker.walk(body)
    walker._flush()
    if walker.headings_crumb:
        meta["breadcrumb"] = walker.headings_crumb
    layout = "html_table" if walker.tables else "html_text"
    return ParsedDocument(
        format="html",
        layout=layout,
        cells=walker.cells,
        text="\n".join(walker.lines),
        title=title,
        title_candidates=walker.headings,
        meta=meta,
        images=walker.images,
        links=walker.links,
        report_links=walker.report_links,
    )


_HEAD_END = re.compile(r"</head\s*>", re.I)
_BR = re.compile(r"<br\b[^>]*>", re.I)
# A <meta> that trafilatura's examine_meta can take a title from: property og:title, a name of METANAME_TITLE
# (citation_title, dc.title, ..., title, twitter:title: each ends in "title" or is "headline"), itemprop headline.
# A superset test over the whole head (any such attribute on any tag, quoted or not, any case): when it fails,
# examine_meta finds no title, and the head is not parsed at all (about half the pages: 0.1-0.2 ms each).
_TITLE_META = re.compile(
    r"""\b(?:property|name|itemprop)\s*=\s*["']?[^"'\s>]*(?:title|headline)""", re.I)


def _trafilatura_title(text: str) -> str | None:
    """Page title from meta tags (og:title, name=title, itemprop=headline) as trafilatura reads them, without its
    date search.  trafilatura reads only the <head>, so only the head is parsed (with lxml, which it needs)."""
    try:
        import lxml.html
        from trafilatura.metadata import examine_meta

        m = _HEAD_END.search(text, 0, 200_000)
        if m is None or not _TITLE_META.search(text, 0, m.end()):
            return None  # no <meta> that examine_meta takes a title from: parsing the head cannot give one
        head = lxml.html.document_fromstring(text[:m.end()] + "<body></body></html>")
        doc = examine_meta(head)
        return clean_space(doc.title) if doc.title else None
    except Exception:  # noqa: BLE001 - metadata is a hint; the page is still read without it
        return None


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    text, encoding = decode_bytes(data)
    doc = parse_html_text(text)
    doc.meta["encoding"] = encoding
    return doc
