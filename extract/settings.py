"""Limits and switches for reading documents.

They are settings, not constants, because a national crawl meets files far larger and stranger
than the tests do; the CLI and flows can override them.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractSettings:
    max_bytes: int = 100 * 1024 * 1024  # files larger than this are refused (status unreadable, reason too_large)
    max_unzipped_bytes: int = 300 * 1024 * 1024  # DOCX/XLSX: total uncompressed size allowed (zip bombs)
    max_zip_ratio: float = 200.0  # DOCX/XLSX: uncompressed/compressed ratio allowed per member
    max_xml_bytes: int = 32 * 1024 * 1024  # DOCX/XLSX: one XML part we parse may inflate to this (then too_large)
    max_pdf_pages: int = 200
    convert_timeout: float = 120.0  # seconds for LibreOffice conversions (DOC, WPS)
    soffice: str = "soffice"  # LibreOffice binary
    read_timeout: float = 120.0  # seconds one document may take, any format (then unreadable, reason timed_out)
    max_sheet_cells: int = 2_000_000  # XLS/XLSX: cells read at most (then reason too_large)
    pdf_scan_min_chars_per_page: int = 20  # fewer text characters per page than this + page images = a scan
    # OCR of scanned pages (pictures, image-only PDFs, Word files of pictures): rapidocr, models in the wheel
    ocr: bool = True  # False: scans stay no_tables / "scanned" (nianbao extract --no-ocr, NIANBAO_OCR=0)
    ocr_max_pages: int = 40  # pages OCR'd per document at most (then unreadable, reason too_many_pages)
    ocr_timeout: float = 600.0  # seconds one document's OCR may take (then unreadable, reason timed_out)
    ocr_min_confidence: float = 0.90  # a value whose weakest character is read with less is null, with a reason
    ocr_max_pixels: int = 40_000_000  # a page larger than this is scaled down before OCR (image bombs)


    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ExtractSettings:
        """Defaults overridden by NIANBAO_* variables, so that the CLI, the flows' worker processes and
        re-extraction (which inherit the environment) apply the same limits:
        NIANBAO_READ_TIMEOUT (seconds), NIANBAO_MAX_XML_MB, NIANBAO_MAX_PDF_PAGES, NIANBAO_OCR (0 turns
        OCR off), NIANBAO_OCR_TIMEOUT (seconds), NIANBAO_OCR_MAX_PAGES."""
        env = os.environ if env is None else env
        changes: dict[str, object] = {}
        ocr = env.get("NIANBAO_OCR", "").strip().lower()
        if ocr:
            if ocr not in ("0", "1", "false", "true", "off", "on", "no", "yes"):
                raise ValueError(f"NIANBAO_OCR={ocr!r}: use 0 or 1")
            changes["ocr"] = ocr in ("1", "true", "on", "yes")
        for var, name, conv in (("NIANBAO_READ_TIMEOUT", "read_timeout", float),
                                ("NIANBAO_MAX_XML_MB", "max_xml_bytes", lambda v: int(float(v) * 1024 * 1024)),
                                ("NIANBAO_MAX_PDF_PAGES", "max_pdf_pages", int),
                                ("NIANBAO_OCR_TIMEOUT", "ocr_timeout", float),
                                ("NIANBAO_OCR_MAX_PAGES", "ocr_max_pages", int)):
            raw = env.get(var, "").strip()
            if raw:
                try:
                    value = conv(raw)
                except ValueError:
                    raise ValueError(f"{var}={raw!r} is not a number") from None
                if value <= 0:  # type: ignore[operator]
                    raise ValueError(f"{var}={raw!r} must be positive")
                changes[name] = value
        return dataclasses.replace(cls(), **changes) if changes else cls()


DEFAULT_SETTINGS = ExtractSettings()


def current_settings() -> ExtractSettings:
    """The settings a document is read with when the caller gives none: defaults plus the environment."""
    return ExtractSettings.from_env()
