"""Tell a file's type from its bytes.

Portals lie: a PDF is served as text/html, a DOCX is named .doc, an error page is named .pdf.
So the type is decided by magic numbers and a look inside containers, never by name or header:

- ``%PDF-`` (within the first KiB: some servers prepend junk) → pdf
- zip: the package's parts decide — ``word/document.xml`` / the WordprocessingML content type → docx,
  ``xl/workbook.xml`` → xlsx, ``OFD.xml`` → ofd, an ODF ``mimetype`` → odt / ods; a zip whose central
  directory is cut (a truncated download) is still recognised from its local file headers, so the
  DOCX reader can say "truncated" instead of "unsupported zip".
- OLE compound file (old Office): the directory's stream names decide — ``WordDocument`` → doc
  (or wps when Kingsoft WPS wrote it: a ``KSOProductBuildVer`` property or a WPS stream; Microsoft
  Works' ``CONTENTS`` → wps), ``Workbook``/``Book`` → xls, ``PowerPoint Document`` → ppt,
  ``EncryptedPackage`` (a password-protected DOCX/XLSX) → ole.
- ``{\\rtf`` → rtf; Word 2003 XML (``<?mso-application progid="Word.Document"?>``) → doc.
- PNG/JPEG/GIF/BMP/TIFF/WEBP → image.
- otherwise HTML by its tags, else text if it decodes (UTF-8, GB18030, UTF-16 with BOM), else binary.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

IMAGE_MAGICS = (
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"BM", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)

KINDS = ("html", "text", "pdf", "docx", "doc", "wps", "xls", "xlsx", "ofd", "odt", "ods", "rtf", "ppt", "ole",
         "zip", "image", "empty", "binary")


# --- zip ----------------------------------------------------------------------------------------

def _kind_from_names(names: set[str], content_types: bytes = b"", mimetype: bytes = b"") -> str:
    lower = {n.lower() for n in names}
    if "word/document.xml" in lower or b"wordprocessingml.document.main" in content_types:
        return "docx"
    if "xl/workbook.xml" in lower or b"spreadsheetml.sheet.main" in content_types:
        return "xlsx"
    if "ofd.xml" in lower or any(n.endswith("/ofd.xml") for n in lower):
        return "ofd"
    mt = mimetype.strip()
    if mt == b"application/vnd.oasis.opendocument.text":
        return "odt"
    if mt == b"application/vnd.oasis.opendocument.spreadsheet":
        return "ods"
    if any(n.startswith("word/") for n in lower):
        return "docx"
    if any(n.startswith("xl/") for n in lower):
        return "xlsx"
    return "zip"


def _local_header_names(data: bytes, limit: int = 200) -> tuple[set[str], bytes]:
    """Names from the local file headers, walking from the start (works on a cut zip)."""
    names: set[str] = set()
    mimetype = b""
    pos = 0
    n = len(data)
    while len(names) < limit and pos + 30 <= n and data[pos:pos + 4] == b"PK\x03\x04":
        flags, method, csize, nlen, xlen = struct.unpack("<xxxxxxHHxxxxxxxxIxxxxHH", data[pos:pos + 30])
        name = data[pos + 30:pos + 30 + nlen].decode("utf-8", "replace")
        names.add(name)
        body = pos + 30 + nlen + xlen
        if name == "mimetype" and method == 0:
            mimetype = data[body:body + min(csize, 100)]
        if flags & 0x08 or csize == 0:  # sizes in a data descriptor: look for the next header
            nxt = data.find(b"PK\x03\x04", body)
            if nxt < 0:
                break
            pos = nxt
        else:
            pos = body + csize
    return names, mimetype


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            content_types = b""
            mimetype = b""
            for info in zf.infolist():
                if info.filename == "[Content_Types].xml" and info.file_size < 1_000_000:
                    content_types = zf.read(info)
                elif info.filename == "mimetype" and info.file_size < 200:
                    mimetype = zf.read(info)
    except Exception:  # noqa: BLE001 - a cut or broken zip: fall back to the local headers
        names, mimetype = _local_header_names(data)
        return _kind_from_names(names, b"", mimetype)
    return _kind_from_names(names, content_types, mimetype)


# --- OLE compound files ---------------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF


def ole_entries(data: bytes) -> dict[str, tuple[int, int, int]] | None:
    """The directory of an OLE compound file: {name: (type, start sector, size)}.

    A minimal, bounded reader of the CFB header, FAT and directory chain (enough to tell Word
    from Excel and to find a stream's first sector).  Returns None when the structure is broken.
    """
    try:
        if not data.startswith(OLE_MAGIC) or len(data) < 512:
            return None
        sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
        if sector_shift not in (9, 12):
            return None
        ssz = 1 << sector_shift
        n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
        difat_start, n_difat = struct.unpack_from("<II", data, 0x44)
        max_sector = len(data) // ssz + 1
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        sect = difat_start
        seen = 0
        while sect not in (_ENDOFCHAIN, _FREESECT) and seen < min(n_difat, max_sector):
            off = (sect + 1) * ssz
            if off + ssz > len(data):
                break
            vals = struct.unpack_from(f"<{ssz // 4}I", data, off)
            fat_sectors.extend(vals[:-1])
            sect = vals[-1]
            seen += 1
        fat: list[int] = []
        for fs in fat_sectors[: max(n_fat, 0)]:
            if fs >= max_sector:
                continue
            off = (fs + 1) * ssz
            if off + ssz > len(data):
                break
            fat.extend(struct.unpack_from(f"<{ssz // 4}I", data, off))
        entries: dict[str, tuple[int, int, int]] = {}
        sect = dir_start
        visited: set[int] = set()
        while sect < max_sector and sect not in visited and len(visited) < 10_000:
            visited.add(sect)
            off = (sect + 1) * ssz
            if off + ssz > len(data):
                break
            for e in range(off, off + ssz, 128):
                name_len = struct.unpack_from("<H", data, e + 0x40)[0]
                kind = data[e + 0x42]
                if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                    continue
                name = data[e:e + name_len - 2].decode("utf-16-le", "replace")
                start, size = struct.unpack_from("<II", data, e + 0x74)
                if sector_shift == 9:
                    size &= 0xFFFFFFFF
                entries[name] = (kind, start, size)
            if sect >= len(fat):
                break
            sect = fat[sect]
        return entries or None
    except (struct.error, IndexError, ValueError):
        return None


def ole_truncated(data: bytes) -> bool:
    """True when the OLE header points at sectors past the end of the data (a cut download)."""
    try:
        ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
        fat_sectors = struct.unpack_from("<109I", data, 0x4C)[: min(n_fat, 109)]
    except struct.error:
        return True
    last = max([dir_start] + [s for s in fat_sectors if s < 0xFFFFFFFA])
    return (last + 2) * ssz > len(data)


def ole_stream_head(data: bytes, start: int, nbytes: int = 512) -> bytes:
    """The first bytes of a stream stored in regular sectors (streams of 4096+ bytes)."""
    if len(data) < 512:
        return b""
    ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    off = (start + 1) * ssz
    return data[off:off + min(nbytes, ssz)]


_KINGSOFT_MARKERS = (b"KSOProductBuildVer", "KSOProductBuildVer".encode("utf-16-le"),
                     b"WpsCustomData", "WpsCustomData".encode("utf-16-le"))


def _ole_kind(data: bytes) -> str:
    entries = ole_entries(data)
    if entries is None:  # broken directory: fall back to the stream names' bytes
        head = data[: 4 * 1024 * 1024]
        names = {n for n in ("WordDocument", "Workbook", "Book", "PowerPoint Document", "EncryptedPackage", "CONTENTS")
                 if n.encode("utf-16-le") in head}
    else:
        names = set(entries)
    if "WordDocument" in names:
        if any(n.lower().startswith("wps") for n in names) or any(m in data for m in _KINGSOFT_MARKERS):
            return "wps"
        return "doc"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    if "CONTENTS" in names and ("SPELLING" in names or b"CHNKWKS" in data[:65536] or b"MatOST" in data[:65536]):
        return "wps"  # Microsoft Works word processor
    return "ole"


# --- text and markup --------------------------------------------------------------------------------

_HTML_TAGS = (b"<html", b"<!doctype html", b"<head", b"<body", b"<table", b"<div", b"<meta", b"<p>", b"<p ",
              b"<span", b"<br", b"<title", b"<script", b"<style", b"<font")
_WORDML_RE = re.compile(rb"progid\s*=\s*[\"']Word\.Document|<w:wordDocument\b", re.I)


def looks_like_html(head: bytes) -> bool:
    low = head.lower()
    return any(tag in low for tag in _HTML_TAGS)


def _decode_head(head: bytes) -> bytes | None:
    """UTF-16 text (with a BOM) re-encoded as UTF-8, so the HTML/text tests can see it."""
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:len(head) - (len(head) % 2)].decode(enc, "replace").encode("utf-8")
    return None


def sniff(data: bytes) -> str:
    """Return one of KINDS: html, text, pdf, docx, doc, wps, xls, xlsx, ofd, odt, ods, rtf, ppt, ole,
    zip, image, empty, binary."""
    if not data or not data.strip():
        return "empty"
    head = data[:4096]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    for magic, kind in IMAGE_MAGICS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    utf16 = _decode_head(head)
    if utf16 is not None:
        head = stripped = utf16.lstrip(b" \t\r\n")
    if stripped.startswith(b"<?xml") and _WORDML_RE.search(head):
        return "doc"  # Word 2003 XML ("save as XML"), converted like a DOC
    if looks_like_html(stripped[:2048]):
        return "html"
    # Text: no NUL bytes in the head and it decodes in one of the usual encodings.
    if b"\x00" in head:
        return "binary"
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a multibyte char cut by the 4 KiB window
                return "text"
    return "binary"
