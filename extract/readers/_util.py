"""Small helpers shared by the binary readers."""
from __future__ import annotations

import re

_MEANINGLESS_TITLES = re.compile(
    r"^(untitled|无标题|文档\d*|document\d*|新建.*文档.*|microsoft (word|excel).*|wps.*|sheet\d*|book\d*|"
    r"slide \d+|powerpoint presentation|pdf|\W*|\d+)$", re.I)


def meaningful_title(title: object) -> str | None:
    """A metadata title worth reporting, or None ("Microsoft Word - 附件1.docx" → "附件1")."""
    if isinstance(title, bytes):
        for enc in ("utf-16", "utf-8", "gb18030"):
            try:
                title = title.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    if not isinstance(title, str):
        return None
    t = re.sub(r"\s+", " ", title.replace("\x00", "")).strip()
    t = re.sub(r"^Microsoft (Word|Excel)\s*-\s*", "", t, flags=re.I)
    t = re.sub(r"\.(docx?|wps|pdf|xlsx?|et|rtf|txt)$", "", t, flags=re.I).strip()
    if len(t) < 2 or _MEANINGLESS_TITLES.match(t):
        return None
    return t


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")


def pdf_date(value: object) -> str | None:
    """A PDF date string (D:20220115093000+08'00') as 'YYYY-MM-DD HH:MM:SS' (or a shorter prefix)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    if not isinstance(value, str):
        return None
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    if not (1990 <= int(y) <= 2100):
        return None
    out = y + (f"-{mo}" if mo else "") + (f"-{d}" if mo and d else "")
    if d and h:
        out += f" {h}:{mi or '00'}:{s or '00'}"
    return out


def clean_cell_text(text: str) -> str:
    """Strip a cell's text, keeping inner line breaks (labels broken over lines stay one cell)."""
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln)
