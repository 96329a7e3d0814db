"""HTML report pages: the page is parsed once, then walked once.

Data tables (tables without tables inside) become structured cells, one per `<td>`, in DOM order
(spans are not expanded: the parser anchors on labels, not on grid columns).  Layout tables
(tables holding tables) are walked like divs.  Text outside tables becomes free lines; lines that
are only link text (menus, "related reports" sidebars) are kept out of the title search.
Guangdong gkmlpt pages carry the body as JSON in `window._CONFIG.DETAIL`; it is unpacked first.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

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
    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.lines: list[str] = []  # non-link text lines, for titles and fields
        self.headings: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.images = 0
        self.tables = 0
        self.report_links = 0
        self._buf: list[str] = []
        self._buf_link: list[bool] = []

    def _flush(self) -> None:
        """End a block: its lines become free cells; its non-link text becomes text lines.

        Link text is kept out of `lines` because menus and "related reports" lists hold other
        reports' titles, which must not be taken for this report's title or fields.
        """
        if not self._buf:
            return
        text = "".join(self._buf)
        own = "".join(piece for piece, is_link in zip(self._buf, self._buf_link) if not is_link)
        self._buf.clear()
        self._buf_link.clear()
        for line in text.split("\n"):
            line = clean_space(line)
            if line:
                self.cells.append(Cell(line))
        if own.strip():
            for line in own.split("\n"):
                line = clean_space(line)
                if line:
                    self.lines.append(line)

    def _add(self, text: str | None, in_link: bool) -> None:
        if text:
            self._buf.append(text)
            self._buf_link.append(in_link)

    def walk(self, el: etree._Element, in_link: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return
        tag = tag.lower()
        if tag in SKIP_TAGS:
            return
        if tag == "img":
            self.images += 1
            return
        if tag == "table" and el.find(".//table") is None:
            self._flush()
            self._table(el)
            return
        block = tag in BLOCK_TAGS
        if block:
            self._flush()
        if tag == "a":
            href = el.get("href") or ""
            label = clean_space(el.text_content())
            if ATTACHMENT_EXT.search(href) or "附件" in label:
                self.links.append((href, label))
            elif _REPORT_LINK.search(label or el.get("title", "")):
                self.report_links += 1
            in_link = True
        elif tag in HEADING_TAGS or (block and _TITLE_CLASS.search(el.get("class", "") + " " + el.get("id", ""))):
            text = clean_space(el.text_content())
            if 4 <= len(text) <= 120:
                self.headings.append(text)
        if _CRUMB_CLASS.search(el.get("class", "") + " " + el.get("id", "")):
            text = clean_space(el.text_content())
            if text and len(text) < 300:
                self.headings_crumb = text
        self._add(el.text, in_link)
        for child in el:
            self.walk(child, in_link)
            self._add(child.tail, in_link)
        if block:
            self._flush()

    def _table(self, table: etree._Element) -> None:
        tid = self.tables
        self.tables += 1
        row = 0
        for tr in _rows(table):
            row += 1
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                    continue
                text = clean_space(td.text_content())
                self.cells.append(Cell(text, table=tid, row=row))
                if text:
                    self.lines.append(text)
                if len(td):
                    for el in td.iter("img", "a"):
                        if el.tag == "img":
                            self.images += 1
                        elif ATTACHMENT_EXT.search(el.get("href") or ""):
                            self.links.append((el.get("href"), clean_space(el.text_content())))


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        if not isinstance(child.tag, str):
            continue
        t = child.tag.lower()
        if t == "tr":
            yield child
        elif t in ("tbody", "thead", "tfoot"):
            yield from (r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")


def _page_meta(tree: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or m.get("http-equiv") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content:
            meta.setdefault(f"meta:{name}", content)
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        meta["title_tag"] = clean_space(title.text_content())
    return meta


def parse_html_text(text: str) -> ParsedDocument:
    """Read a decoded page (also used for HTML embedded in other containers)."""
    meta: dict[str, str] = {}
    detail = _gkmlpt_detail(text) if "DETAIL" in text else None
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return ParsedDocument(format="html", layout="none", cells=[], text="", status="unreadable",
                              reason="HTML could not be parsed")
    meta.update(_page_meta(tree))
    title = _trafilatura_title(tree) or meta.get("title_tag")
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    walker = _Walker()
    walker.headings_crumb = None  # type: ignore[attr-defined]
    body = tree.body if tree.find("body") is not None else tree
    if detail:
        content, detail_meta = _detail_fields(detail)
        meta.update(detail_meta)
        if content:
            # The page itself is an empty shell around the JSON; walk its chrome, then the body.
            walker.walk(body)
            walker._flush()
            try:
                inner = lxml.html.fragment_fromstring(content, create_parent="div")
                for br in inner.iter("br"):
                    br.tail = "\n" + (br.tail or "")
                if meta.get("detail:title"):
                    walker.headings.insert(0, meta["detail:title"])
                walker.walk(inner)
            except (etree.ParserError, ValueError):
                pass
        else:
            walker.walk(body)
    else:
        walker.walk(body)
    walker._flush()
    crumb = getattr(walker, "headings_crumb", None)
    if crumb:
        meta["breadcrumb"] = crumb
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


def _trafilatura_title(tree: etree._Element) -> str | None:
    """Page title from meta tags (og:title, <title>) as trafilatura reads them, without its date search."""
    try:
        from trafilatura.metadata import examine_meta

        doc = examine_meta(tree)
        return clean_space(doc.title) if doc.title else None
    except Exception:  # noqa: BLE001 - metadata is a hint; the page is still read without it
        return None


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    text, encoding = decode_bytes(data)
    doc = parse_html_text(text)
    doc.meta["encoding"] = encoding
    return doc
