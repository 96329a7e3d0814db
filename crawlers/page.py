"""A fetched HTML page, decoded right, with its links read the way the platforms need them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from core.decode import charset_from_content_type, decode_html
from core.titles import find_date, norm

ATTACHMENT_EXTS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "jpg", "jpeg", "png", "gif", "bmp",
                   "tif", "tiff", "webp", "zip", "rar", "7z", "txt", "rtf", "ceb", "caj")
IMAGE_EXTS = ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp")
_EXT_RE = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTS) + r")$", re.I)
_QUERY_EXT_RE = re.compile(r"[=/]([^=&/?#]+\.(" + "|".join(ATTACHMENT_EXTS) + r"))(?:$|[&#])", re.I)
_TEXT_EXT_RE = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTS) + r")\s*[）)]?\s*$", re.I)
_DOWNLOAD_HINT = re.compile(r"(downfile|download|attachment|fileDownload|getfile|/P0\d{8,}|/W0\d{8,})", re.I)
# Image file names of page furniture (icons, logos, QR codes, share buttons): never a report's image.
_CHROME_IMG = ("icon", "logo", "qrcode", "ewm", "erweima", "share", "weixin", "weibo", "wx_", "banner", "arrow", "btn",
               "button", "/bg", "spacer", "blank.gif", "jiucuo", "conac", "dzjg", "govicon", "red.png")
_CHROME_RE = re.compile(r"(^|[\s_-])(header|footer|foot|top|bottom|nav|navbar|menu|banner|copyright|"
                        r"yqlj|daohang|sidebar|share)([\s_-]|\d|$)", re.I)
_META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*(\d*\.?\d*)\s*;?\s*(?:url\s*=\s*)?([^"'>]*)""",
    re.I)
_META_REFRESH2 = re.compile(
    r"""<meta[^>]+content\s*=\s*["']?\s*(\d*\.?\d*)\s*;\s*url\s*=\s*([^"'>]*)["']?[^>]*http-equiv\s*=\s*["']?refresh""",
    re.I)
_JS_REDIRECT = re.compile(
    r"""(?:window\.|self\.|top\.|document\.)?location(?:\.href)?\s*(?:=|\.replace\s*\(|\.assign\s*\()\s*["']([^"']+)["']""",
    re.I)
_SCRIPT_STYLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_COMMENTS = re.compile(r"<!--.*?-->", re.S)


def attachment_ext(url: str, text: str = "") -> str | None:
    """The attachment extension of a link (from its path, a query value or its text), or None."""
    parts = urlsplit(url)
    m = _EXT_RE.search(parts.path)
    if m:
        return m.group(1).lower()
    m = _QUERY_EXT_RE.search(parts.query + "&")
    if m:
        return m.group(2).lower()
    if text:
        m = _TEXT_EXT_RE.search(text.strip())
        if m and (_DOWNLOAD_HINT.search(url) or not re.search(r"\.s?html?$", parts.path, re.I)):
            return m.group(1).lower()
    return None


def is_chrome_image(src: str) -> bool:
    """An image of the page's furniture (logo, icon, QR code, share button), not of its content."""
    low = src.lower()
    return any(w in low for w in _CHROME_IMG)


def is_html_url(url: str) -> bool:
    path = urlsplit(url).path
    return bool(re.search(r"\.(s?html?|jsp|php|aspx?|do)$", path, re.I)) or path.endswith("/") or "." not in path.rsplit("/", 1)[-1]


# Query parameters that only track where a click came from (置顶 pins, home-page 推荐 boxes, shares).
TRACKING_PARAMS = {"from", "source", "spm", "share", "isappinstalled", "wxfrom", "sharefrom", "_from", "tj", "ref",
                   "referer", "referrer", "scene", "clicktime", "enterid", "fromsource", "frompage"}
_STATIC_PATH = re.compile(r"\.(s?html?|" + "|".join(ATTACHMENT_EXTS) + r")$", re.I)


def clean_url(url: str) -> str:
    """Drop the fragment; on static pages and files, drop tracking-only query parameters (?from=zhiding)."""
    url = urldefrag(url.strip())[0].replace(" ", "%20")
    parts = urlsplit(url)
    if parts.query and _STATIC_PATH.search(parts.path):
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")]
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    return url


@dataclass
class Link:
    url: str
    text: str  # the best title: the title attribute when the text is cut short
    anchor: str  # the link's own text
    date: str | None
    in_chrome: bool
    group: str = ""  # the list the link sits in (its nearest ul/ol/dl/table), to tell a list's entries from menus
    name: str = ""  # a file name the markup gives besides the text (download=, alt=, a file-like title=, showname=)
    via: str = "a"  # where the page writes it: a, javascript (a javascript: href with a URL inside), script
    #                 (a string in an inline script), attr (oldsrc/data-src), iframe, embed, onclick

    @property
    def label(self) -> str:
        """The name to record for an attachment: the file name the markup gives, else the text."""
        return self.name or self.text


# Link texts that only say "download" (附件1, 点击下载, PDF版): the name, if any, is elsewhere.
DOWNLOAD_TEXT = re.compile(r"^(附件\s*[\d一二三四五六七八九十]*|附件下载|点击下载|下载附件|下载|立即下载|点击查看|查看附件|"
                           r"查看原文|原文下载|全文下载|下载全文|下载文字版|文字版|图片版|(pdf|word|wps|excel|ofd)\s*(版|格式|文件)?)"
                           r"\s*[:：]?$", re.I)
_NAME_PARAMS = ("showname", "filename", "fileName", "file_name", "name", "title")
_JS_URL = re.compile(r"""['"]((?:https?://|/|\./|\.\./)[^'"\s<>]+|[^'"\s<>()]+\.(?:""" + "|".join(ATTACHMENT_EXTS)
                     + r"""|s?html?|jsp|aspx?|php|do)(?:\?[^'"\s<>]*)?)['"]""", re.I)
# an anchor inside a script string; not one whose href is built by concatenation (href="index"+"_"+n+…)
_SCRIPT_ANCHOR = re.compile(r"""<a\b([^>]*?)href\s*=\s*(["']?)([^"'\s>+]+)\2(?!\s*\+)([^>]*)>(.*?)</a\s*>""", re.I | re.S)
_SCRIPT_OPEN = re.compile(r"""(?:window\.open|location(?:\.href)?\s*=|location\.(?:assign|replace))\s*\(?\s*['"]([^'"]+)['"]""", re.I)
_JS_UNESCAPE = (("\\u0022", '"'), ("\\u0027", "'"), ("\\u003c", "<"), ("\\u003C", "<"), ("\\u003e", ">"),
                ("\\u003E", ">"), ("\\u0026", "&"), ('\\"', '"'), ("\\'", "'"), ("\\/", "/"))
_ALT_SRC_ATTRS = ("oldsrc", "data-src", "data-url", "data-href", "data-file", "data-file-url", "data-download",
                  "data-value", "data-original", "data-path")
_VIEWER_FILE = re.compile(r"[?&](?:file|url|src|path|fileUrl)=([^&#]+)", re.I)


def url_inside_javascript(href: str) -> str | None:
    """The URL a `javascript:` link opens, when it names one (javascript:openFile('/a/b.pdf'), window.open('…'));
    None for javascript:void(0), history.back() and the like."""
    m = _JS_URL.search(href)
    return m.group(1) if m else None


def name_from_url(url: str) -> str:
    """A file name carried in the query (downfile.jsp?showname=年报.pdf, download?fileName=…), if any."""
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        if k in _NAME_PARAMS and _EXT_RE.search(v.strip()):
            return v.strip()
    return ""


def viewer_target(url: str) -> str | None:
    """The document a PDF viewer page shows (…/viewer.html?file=/a/b.pdf)."""
    path = urlsplit(url).path.lower()
    if "viewer" in path or "pdfjs" in path or "preview" in path:
        m = _VIEWER_FILE.search(url)
        if m:
            from urllib.parse import unquote

            return unquote(m.group(1))
    return None


def visible_text(html: str) -> str:
    text = _COMMENTS.sub(" ", html)
    text = _SCRIPT_STYLE.sub(" ", text)
    text = _TAGS.sub(" ", text)
    return norm(text.replace("&nbsp;", " "))


class Page:
    def __init__(self, url: str, body: bytes, content_type: str | bytes | None = None, text: str | None = None):
        self.url = url
        self.body = body
        if text is None:
            text, self.encoding = decode_html(body, charset_from_content_type(content_type))
        else:
            self.encoding = "utf-8"
        self.text = text

    @cached_property
    def sel(self) -> Selector:
        return Selector(text=self.text or "<html></html>", type="html")

    @cached_property
    def base_url(self) -> str:
        try:
            href = self.sel.xpath("//base/@href").get()
        except Exception:  # noqa: BLE001
            href = None
        return urljoin(self.url, href.strip()) if href else self.url

    def urljoin(self, href: str) -> str:
        return clean_url(urljoin(self.base_url, href.strip()))

    @cached_property
    def visible(self) -> str:
        return visible_text(self.text)

    @cached_property
    def title(self) -> str:
        return norm(self.sel.xpath("string(//title)").get() or "")

    def links(self, root: Selector | None = None) -> list[Link]:
        out: list[Link] = []
        scope = (root if root is not None else self.sel).root
        if not hasattr(scope, "iter"):
            return out
        if root is None:
            self.js_without_url.clear()
        for a in scope.iter("a"):
            href = (a.get("href") or "").strip()
            via = "a"
            if href.lower().startswith("javascript:"):
                inside = url_inside_javascript(href) or url_inside_javascript(a.get("onclick") or "")
                if inside is None:
                    self.js_without_url.append(a)
                    continue
                href, via = inside, "javascript"
            if not href or href.startswith(("mailto:", "tel:", "#")):
                continue
            anchor = norm(_text(a))
            title_attr = norm(a.get("title") or "")
            text = anchor
            if title_attr and (not anchor or len(title_attr) > len(anchor) or anchor.endswith(("...", "…", ".."))):
                text = title_attr
            url = self.urljoin(href)
            name = ""
            for attr in ("download", "alt", "title"):
                v = norm(a.get(attr) or "")
                if v and _EXT_RE.search(v):
                    name = v
                    break
            out.append(Link(url=url, text=text, anchor=anchor, date=_date_near(a, anchor), in_chrome=_in_chrome(a),
                            group=_group_of(a), name=name or name_from_url(url), via=via))
        return out

    @cached_property
    def js_without_url(self) -> list:
        """`javascript:` links that name no URL (filled by `links()`): counted as skipped where they matter."""
        return []

    def written_links(self) -> list[Link]:
        """Links the page writes other than as <a href>: anchors inside inline-script strings (document.write,
        var x = '<a href=…>', .html('…')), window.open / location targets in scripts and onclick handlers,
        OLDSRC / data-src style attributes of elements without a usable href or src of their own, iframe / frame /
        embed / object sources (a PDF viewer's ?file= unwrapped). Header, footer and navigation are skipped."""
        out: list[Link] = []
        root = self.sel.root
        if not hasattr(root, "iter"):
            return out
        for el in root.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if not tag:
                continue
            if tag == "script":
                if el.get("src") or _in_chrome(el):
                    continue
                code = el.text or ""
                for a, b in _JS_UNESCAPE:
                    code = code.replace(a, b)
                for m in _SCRIPT_ANCHOR.finditer(code):
                    href = m.group(3)
                    if href.lower().startswith(("javascript:", "mailto:", "#")) or "+" in href:
                        continue
                    attrs = m.group(1) + m.group(4)
                    text = norm(visible_text(m.group(5)))
                    title = re.search(r"""title\s*=\s*["']([^"']+)""", attrs)
                    alt = re.search(r"""(?:alt|download)\s*=\s*["']([^"']+)""", attrs)
                    url = self.urljoin(href)
                    name = alt.group(1) if alt and _EXT_RE.search(alt.group(1)) else ""
                    out.append(Link(url=url, text=norm(title.group(1)) if title and not text else text, anchor=text,
                                    date=find_date(visible_text(m.group(0))), in_chrome=False, group="script",
                                    name=name or name_from_url(url), via="script"))
                for m in _SCRIPT_OPEN.finditer(code):
                    if attachment_ext(m.group(1)) or viewer_target(m.group(1)):
                        out.append(self._written(m.group(1), "", "script"))
                continue
            onclick = el.get("onclick") or ""
            if onclick and not _in_chrome(el):
                for m in _SCRIPT_OPEN.finditer(onclick):
                    out.append(self._written(m.group(1), norm(_text(el)), "onclick"))
            if tag in ("iframe", "frame", "embed", "object"):
                src = (el.get("src") or el.get("data") or "").strip()
                if src and not src.lower().startswith(("javascript:", "about:", "data:")) and not _in_chrome(el):
                    out.append(self._written(src, norm(el.get("title") or el.get("name") or ""), "iframe" if "frame" in tag else "embed"))
                continue
            own = (el.get("href") or el.get("src") or "").strip()
            if own and not own.lower().startswith(("javascript:", "#")):
                continue  # the element's own link is read elsewhere; its OLDSRC is the CMS's internal path
            for attr in _ALT_SRC_ATTRS:
                v = (el.get(attr) or "").strip()
                if v and attachment_ext(v) and not _in_chrome(el):
                    out.append(self._written(v, norm(_text(el)) if tag == "a" else "", "attr"))
                    break
        seen: set[str] = set()
        unique = []
        for link in out:
            target = viewer_target(link.url)
            if target:
                link.url = self.urljoin(target)
                link.name = link.name or name_from_url(link.url)
            if link.url not in seen and link.url != self.url and link.url.startswith(("http://", "https://")):
                seen.add(link.url)
                unique.append(link)
        return unique

    def _written(self, href: str, text: str, via: str) -> Link:
        url = self.urljoin(href)
        return Link(url=url, text=text, anchor=text, date=None, in_chrome=False, group=via, name=name_from_url(url),
                    via=via)

    def images(self, root: Selector | None = None) -> list[str]:
        scope = root if root is not None else self.sel
        urls = []
        for src in scope.xpath(".//img/@src").getall():
            src = src.strip()
            if src and not src.startswith("data:"):
                urls.append(self.urljoin(src))
        return urls

    def meta_refresh(self) -> tuple[float, str] | None:
        head = self.text[:8192]
        m = _META_REFRESH.search(head) or _META_REFRESH2.search(head)
        if not m:
            return None
        try:
            delay = float(m.group(1) or 0)
        except ValueError:
            delay = 0.0
        target = m.group(2).strip().strip("'\"")
        return delay, self.urljoin(target) if target else self.url

    def js_redirect(self) -> str | None:
        """A `location.replace(...)` / `location.href = ...` shell: little text, one redirect script."""
        if len(self.visible) > 200:
            return None
        m = _JS_REDIRECT.search(self.text[:20000])
        return self.urljoin(m.group(1)) if m else None

    def content_root(self) -> Selector | None:
        """The article body container (TRS, Hanweb, common CMS ids and classes), if recognisable."""
        for xp in (
            "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
            "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
            "//*[@id='zoom']", "//*[@id='UCAP-CONTENT']", "//*[@id='Zoom']", "//*[@id='content']",
            "//*[@class='article-content']", "//*[@class='article_content']", "//*[@id='fontzoom']",
            "//*[contains(@class,'bt_content')]", "//*[contains(@class,'main-txt')]",
            "//*[contains(@class,'content')][.//p or .//table]", "//article",
        ):
            found = self.sel.xpath(xp)
            if found:
                return found[0]
        return None


def _text(el) -> str:
    try:
        return el.text_content()
    except (ValueError, AttributeError):
        return "".join(el.itertext()) if hasattr(el, "itertext") else ""


_LIST_TAGS = {"ul", "ol", "dl", "table", "tbody"}


def _group_of(a) -> str:
    """A key of the list a link sits in: the path of its nearest ul/ol/dl/table (else its grandparent)."""
    parent = None
    for i, anc in enumerate(a.iterancestors()):
        if i == 1 and parent is None:
            parent = anc
        if anc.tag in _LIST_TAGS:
            parent = anc
            break
        if i >= 6:
            break
    if parent is None:
        return ""
    try:
        return parent.getroottree().getpath(parent)
    except (ValueError, AttributeError):
        return ""


def _in_chrome(a) -> bool:
    for anc in a.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("header", "footer", "nav"):
            return True
        ident = f"{anc.get('id') or ''} {anc.get('class') or ''}".strip()
        if ident and _CHROME_RE.search(ident):
            return True
    return False


_DATE_TAGS = {"li", "tr", "dd", "dt", "p", "div"}


def _date_near(a, anchor: str) -> str | None:
    seen = 0
    for anc in a.iterancestors():
        if anc.tag not in _DATE_TAGS:
            continue
        seen += 1
        if sum(1 for _ in anc.iter("a")) > 2:
            break  # a container of several entries: a date in it is another entry's (or the page's)
        text = norm(_text(anc))
        if len(text) > 400:
            break
        d = find_date(text.replace(anchor, " ", 1) if anchor else text)
        if d:
            return d
        if seen >= 3:  # dl/dt/div/div/a (Anhui OpennessContent lists): the date is in the dt, three levels up
            break
    return None
