"""Pictures (PNG, JPEG, GIF, BMP, TIFF, WEBP): a scanned page or a photo of a table.

There is no OCR here: the document is recorded as status no_tables, reason "scanned", never as
zeros.  Only the header is read (format and size, for the record); no pixel is decoded, so an
image bomb costs nothing.
"""
from __future__ import annotations

import io

from ..model import ParsedDocument
from ..settings import ExtractSettings
from . import limits
from .limits import Refused


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    try:
        limits.check_size(data, settings)
    except Refused as exc:
        return limits.refused("image", exc)
    meta: dict[str, str] = {}
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:  # lazy: reads the header only
            meta["image_format"] = str(im.format)
            meta["image_size"] = f"{im.width}x{im.height}"
    except Exception as exc:  # noqa: BLE001 - a broken picture is still a picture, not text
        meta["detail"] = f"unreadable image header: {type(exc).__name__}"
    return ParsedDocument(format="image", layout="image", cells=[], text="", images=1, meta=meta,
                          status="no_tables", reason="scanned")
