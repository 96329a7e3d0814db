"""Recognise hostile answers before any parsing: JS challenges (瑞数 / 加速乐 / WAF), deleted pages, redirect shells.

A challenge page is never a document: it is recorded with state `challenged` and the portal's host is marked
challenged for the rest of the run (headers alone do not pass these challenges).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# River Security (瑞数): HTTP 412 (or 202) with an obfuscated script, window.$_ts, cookies like FSSBBIl1UgzbN7N80S.
_RS_BODY = (b"$_ts", b"_$ts", b"FSSBBIl1UgzbN7N80S", b"FSSBBIl1UgzbN7N80T", b"$_ts.nsd", b"$_ts.cd")
_RS_COOKIE = re.compile(rb"(FSSBBIl1UgzbN7N80[ST]|[A-Za-z0-9]{10,20}80[ST]=)")
# 加速乐 (Knownsec): HTTP 521 and a JS-set __jsl_clearance cookie.
_JSL_BODY = (b"__jsl_clearance", b"jsl_clearance_s", b"__jsluid", b"go({", b"document.cookie=('_')")
_JSL_COOKIE = re.compile(rb"__jsluid_[sh]=")
# Other JS walls seen on Chinese portals (Aliyun acw_sc__v2, Cloudflare-like challenges).
_OTHER_BODY = (b"acw_sc__v2", b"/cdn-cgi/challenge-platform", b"_waf_bd8ce2ce37")

CHALLENGE_STATUSES = {202, 403, 412, 468, 521}


def detect_challenge(status: int, headers: dict[bytes, list[bytes]] | None, body: bytes) -> str | None:
    """Name of the challenge (`rs`, `jsl`, `waf`) if this answer is a JS challenge, else None."""
    head = body[:65536]
    cookies = b" ".join(v for k, vs in (headers or {}).items() if k.lower() == b"set-cookie" for v in vs)
    rs = any(m in head for m in _RS_BODY) or bool(_RS_COOKIE.search(cookies))
    jsl = any(m in head for m in _JSL_BODY) or bool(_JSL_COOKIE.search(cookies))
    other = any(m in head for m in _OTHER_BODY)
    if status in (412, 521):
        # These statuses are the challenges' own; any script-only answer with them is one.
        if rs or status == 412:
            return "rs"
        return "jsl"
    if status in CHALLENGE_STATUSES or status == 200:
        # With a normal status, require the markers and a page that is mostly script (a real page may
        # mention $_ts in passing, but it also has text).
        if rs or jsl or other:
            text = re.sub(rb"<script\b.*?</script\s*>", b" ", head, flags=re.S | re.I)
            text = re.sub(rb"<[^>]+>", b" ", text)
            if len(text.strip()) < 1500:
                return "rs" if rs else "jsl" if jsl else "waf"
    return None


def is_folder_url(target: str, original: str) -> bool:
    """True when a redirect target is a folder / index page above the original page (how deleted pages answer)."""
    t, o = urlsplit(target), urlsplit(original)
    if t.netloc and o.netloc and t.netloc.split(":")[0] != o.netloc.split(":")[0]:
        return True  # off to another site: the page is gone here
    tpath = t.path or "/"
    if re.search(r"/(index|default|main)\.(s?html?|jsp|php|aspx?)$", tpath, re.I):
        tpath = tpath.rsplit("/", 1)[0] + "/"
    if tpath.endswith("/"):
        return (o.path or "/").startswith(tpath) or tpath == "/"
    return False


def is_gone_redirect(final: str, original: str) -> bool:
    """True when an HTTP redirect took a report page to a folder or index above it on the same host (or the site's
    root): how CMSs answer for a deleted page. A redirect to another host (a file server, https) is not."""
    f, o = urlsplit(final), urlsplit(original)
    if (f.hostname or "").lower() != (o.hostname or "").lower():
        return False
    return is_folder_url(final, original)


_SOFT_404_TITLE = re.compile(r"(页面不存在|页面已删除|页面已被删除|您访问的页面不存在|信息不存在|文章不存在|内容不存在|"
                             r"^\s*404\b|404\s*not\s*found|404错误|错误页面)", re.I)
_SOFT_404 = re.compile(r"(404|页面不存在|页面已删除|页面已被删除|您访问的页面不存在|信息不存在|信息已删除|文章不存在|内容不存在|"
                       r"已被删除|已撤销|已下线)")


def is_soft_404(page) -> bool:
    """A 'page not found' page answered with status 200: its title says so, or it is short and its text does."""
    if _SOFT_404_TITLE.search(page.title or ""):
        return True
    text = page.visible
    return len(text) <= 600 and bool(_SOFT_404.search(text[:300]))
