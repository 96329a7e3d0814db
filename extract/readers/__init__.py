"""Readers: one per document format, each turning bytes into a ParsedDocument.

`read()` dispatches on the type sniffed from the bytes (see `core.sniff`), never on the file
name or a server's Content-Type.  A reader that cannot make sense of its input returns a
ParsedDocument with `status`/`reason` set instead of raising.
"""
from __future__ import annotations

from collections.abc import Callable

from ..model import UNSUPPORTED, ParsedDocument
from ..settings import ExtractSettings

Reader = Callable[[bytes, ExtractSettings], ParsedDocument]


def _registry() -> dict[str, Reader]:
    from . import html, text

    readers: dict[str, Reader] = {"html": html.read, "text": text.read}
    # binary formats (pdf, docx, office, sheet, image readers)
    from . import docx, image, office, pdf, sheet

    readers.update({
        "pdf": pdf.read,
        "docx": docx.read,
        "doc": office.read_doc,
        "wps": office.read_wps,
        "rtf": office.read_rtf,
        "odt": office.read_odt,
        "ods": office.read_ods,
        "ole": office.read_ole,
        "xls": sheet.read_xls,
        "xlsx": sheet.read_xlsx,
        "image": image.read,
    })
    return readers


def supported_kinds() -> frozenset[str]:
    """The document kinds (core.sniff.KINDS) that have a reader; every other kind is `unsupported`."""
    return frozenset(_registry())


def read(data: bytes, kind: str, settings: ExtractSettings) -> ParsedDocument:
    reader = _registry().get(kind)
    if reader is None:
        return ParsedDocument(format=kind, layout="none", cells=[], text="", status=UNSUPPORTED,
                              reason=f"unsupported file type: {kind} (stored; no reader for it yet)")
    return reader(data, settings)
