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
        for a in scope.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            anchor = norm(_text(a))
            title_attr = norm(a.get("title") or "")
            text = anchor
            if title_attr and (not anchor or len(title_attr) > len(anchor) or anchor.endswith(("...", "…", ".."))):
                text = title_attr
            out.append(Link(url=self.urljoin(href), text=text, anchor=anchor, date=_date_near(a, anchor),
                            in_chrome=_in_chrome(a)))
        return out

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
        text = norm(_text(anc))
        if len(text) > 400:
            break
        d = find_date(text.replace(anchor, " ", 1) if anchor else text)
        if d:
            return d
        if seen >= 3:  # dl/dt/div/div/a (Anhui OpennessContent lists): the date is in the dt, three levels up
            break
    return None
