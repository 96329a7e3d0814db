"""Guards against hostile or broken files, shared by the binary readers.

Every check runs before the expensive part of a reader (decompression, parsing, a LibreOffice
run) and turns a bad file into a `ParsedDocument` with status `unreadable` and a one-line,
stable reason token ("too_large", "truncated", "encrypted", "zip_bomb", "xml_entities", ...).
The details (sizes, member names) go to `meta["detail"]`.
"""
from __future__ import annotations

import io
import os
import re
import signal
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lxml import etree

try:  # the C functions: signal.signal/getsignal turn handlers into enums on every call (~10 us a call, per document)
    import _signal as _sig
except ImportError:  # pragma: no cover - other Pythons
    _sig = signal  # type: ignore[assignment]

from ..model import ParsedDocument
from ..settings import ExtractSettings

# Stable reason tokens (the `reason` of an unreadable document).
TOO_LARGE = "too_large"
TRUNCATED = "truncated"
ENCRYPTED = "encrypted"
ZIP_BOMB = "zip_bomb"
XML_ENTITIES = "xml_entities"
TOO_MANY_PAGES = "too_many_pages"
CORRUPT = "corrupt"
TIMED_OUT = "timed_out"


class Refused(Exception):
    """A file refused by a guard: `reason` is the stable token, `detail` the one-line detail."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def failed(fmt: str, reason: str, detail: str = "", status: str = "unreadable") -> ParsedDocument:
    """The ParsedDocument of a file a reader gives up on."""
    meta = {"detail": detail} if detail else {}
    return ParsedDocument(format=fmt, layout="none", cells=[], text="", status=status, reason=reason, meta=meta)


def refused(fmt: str, exc: Refused) -> ParsedDocument:
    return failed(fmt, exc.reason, exc.detail)


def check_size(data: bytes, settings: ExtractSettings) -> None:
    if len(data) > settings.max_bytes:
        raise Refused(TOO_LARGE, f"{len(data)} bytes > max_bytes {settings.max_bytes}")


# --- time -------------------------------------------------------------------------------------

class HardTimeout(BaseException):
    """Raised by the alarm when a document overruns its time limit inside code without checkpoints.

    A BaseException, so that the readers' "one broken page does not sink the document" handlers do
    not swallow it; `extract.pipeline` turns it into status unreadable, reason timed_out.
    """


_deadline: ContextVar[float | None] = ContextVar("nianbao_read_deadline", default=None)
_alarm_armed: ContextVar[bool] = ContextVar("nianbao_read_alarm", default=False)


def _alarm_available() -> bool:
    """SIGALRM is ours to use: main thread, default handler, no interval timer running (pytest-timeout
    and other tools install their own; then only the checkpoints apply)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    try:
        return _sig.getsignal(signal.SIGALRM) in (_sig.SIG_DFL, None) and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    except (ValueError, OSError):
        return False


def _on_alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise HardTimeout()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """One document's time limit.

    Readers call `check_time()` at their loop points (pages, rows, paragraphs) and stop with reason
    timed_out; where the process allows it, an alarm also interrupts code without checkpoints
    (HardTimeout) a little after the limit.  Nested limits keep the earlier deadline.
    """
    now = time.monotonic()
    outer = _deadline.get()
    deadline = now + max(0.0, seconds)
    if outer is not None:
        deadline = min(deadline, outer)
    token = _deadline.set(deadline)
    alarm = outer is None and _alarm_available()
    alarm_token = _alarm_armed.set(alarm)
    if alarm:
        _sig.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, deadline - now + 1.0))
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _sig.signal(signal.SIGALRM, _sig.SIG_DFL)
        _alarm_armed.reset(alarm_token)
        _deadline.reset(token)


def extend(seconds: float) -> None:
    """Give the current document `seconds` from now (when that is later than its deadline).

    OCR has its own budget (settings.ocr_timeout): the OCR reader extends the document's limit when it
    starts recognising pages, so that text-layer documents keep the short read_timeout.
    """
    d = _deadline.get()
    if d is None:
        return
    new = time.monotonic() + max(0.0, seconds)
    if new <= d:
        return
    _deadline.set(new)
    if _alarm_armed.get():
        signal.setitimer(signal.ITIMER_REAL, max(0.01, new - time.monotonic() + 1.0))


def remaining(default: float | None = None) -> float | None:
    """Seconds left before the current document's deadline (default when no limit is set)."""
    d = _deadline.get()
    return default if d is None else max(0.0, d - time.monotonic())


def check_time(where: str = "") -> None:
    """Raise Refused(timed_out) when the current document is past its deadline."""
    d = _deadline.get()
    if d is not None and time.monotonic() > d:
        raise Refused(TIMED_OUT, f"read_timeout reached{' ' + where if where else ''}")


def check_path_size(path: str | os.PathLike, settings: ExtractSettings) -> None:
    """Refuse a file on disk by its size, before reading it (for `extract_path`)."""
    size = os.stat(path).st_size
    if size > settings.max_bytes:
        raise Refused(TOO_LARGE, f"{size} bytes > max_bytes {settings.max_bytes}")


# --- zip containers (DOCX, XLSX) -------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_MAX_MEMBERS = 10_000
_RATIO_MIN_SIZE = 1024 * 1024  # the per-member ratio test applies from 1 MiB uncompressed


def open_zip(data: bytes, settings: ExtractSettings) -> zipfile.ZipFile:
    """Open a zip container after checking its declared sizes; raise Refused on a bad one.

    Nothing is decompressed here.  `zipfile` never inflates a member past its declared
    `file_size`, so checking the declared sizes bounds the memory a reader can be made to use
    (a member whose real data is larger fails its CRC/size check instead).
    """
    check_size(data, settings)
    tail = data[-(65536 + 22):]
    if _EOCD not in tail:
        raise Refused(TRUNCATED, "zip without end of central directory (cut download?)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, struct.error, EOFError) as exc:
        if len(data) < 22 or not data.startswith(b"PK"):
            raise Refused(CORRUPT, f"bad zip: {exc}") from None
        raise Refused(TRUNCATED, f"bad zip central directory: {exc}") from None
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise Refused(ZIP_BOMB, f"{len(infos)} members")
    total = 0
    for info in infos:
        if info.header_offset + info.compress_size > len(data):
            raise Refused(TRUNCATED, f"member {info.filename} extends past the end of the file")
        total += info.file_size
        if total > settings.max_unzipped_bytes:
            raise Refused(ZIP_BOMB, f"declared uncompressed size > max_unzipped_bytes {settings.max_unzipped_bytes}")
        if info.file_size >= _RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > settings.max_zip_ratio:
                raise Refused(ZIP_BOMB, f"member {info.filename} ratio {ratio:.0f} > max_zip_ratio {settings.max_zip_ratio:g}")
    return zf


_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.I)


def read_member(zf: zipfile.ZipFile, name: str, settings: ExtractSettings) -> bytes:
    """Read one member, never more than its declared size (already checked by open_zip).

    An XML part that would inflate past `max_xml_bytes` is refused (too_large) before a byte is
    inflated: a document.xml of hundreds of MB stays under the zip-bomb ratio when its text is
    varied enough, and parsing it would cost gigabytes and minutes.
    """
    info = zf.getinfo(name)
    if _XML_PART.search(name) and info.file_size > settings.max_xml_bytes:
        raise Refused(TOO_LARGE, f"member {name} inflates to {info.file_size} bytes > max_xml_bytes {settings.max_xml_bytes}")
    limit = min(info.file_size, settings.max_unzipped_bytes)
    try:
        with zf.open(info) as fh:
            out = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Refused(CORRUPT, f"member {name}: {exc}") from None
    if len(out) > limit:
        raise Refused(ZIP_BOMB, f"member {name} larger than declared")
    return out


def member_names(zf: zipfile.ZipFile) -> set[str]:
    return {i.filename for i in zf.infolist()}


# --- XML --------------------------------------------------------------------------------------

_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_ELEMENT_RE = re.compile(rb"<[A-Za-z_]")


def parse_xml(raw: bytes, what: str = "xml") -> etree._Element:
    """Parse an XML part safely: no DTD at all, no entity resolution, no network, no huge trees."""
    # A DTD can only appear in the prolog, before the root element.
    first = _ELEMENT_RE.search(raw)
    prolog = raw[: first.start()] if first else raw
    if _DTD_RE.search(prolog):
        raise Refused(XML_ENTITIES, f"{what} has a DOCTYPE/ENTITY declaration")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, recover=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        # Word tolerates some junk; try once in recover mode before giving up.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                 remove_comments=True, recover=True)
        try:
            root = etree.fromstring(raw, parser)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise Refused(CORRUPT, f"{what}: {str(exc).splitlines()[0][:120]}") from None
    if root.getroottree().docinfo.doctype:
        raise Refused(XML_ENTITIES, f"{what} has a DOCTYPE")
    return root


def check_xml_members(zf: zipfile.ZipFile, settings: ExtractSettings, names: list[str] | None = None) -> None:
    """Refuse a package whose XML parts declare a DTD or entities (XXE, billion laughs)."""
    for info in zf.infolist():
        if names is not None and info.filename not in names:
            continue
        low = info.filename.lower()
        if not (low.endswith(".xml") or low.endswith(".rels") or low.endswith(".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(min(info.file_size, 65536))
        except Exception as exc:  # noqa: BLE001 - any failure to inflate is a broken package
            raise Refused(CORRUPT, f"member {info.filename}: {exc}") from None
        if _DTD_RE.search(head):
            raise Refused(XML_ENTITIES, f"{info.filename} has a DOCTYPE/ENTITY declaration")
