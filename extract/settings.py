"""Limits and switches for reading documents.

They are settings, not constants, because a national crawl meets files far larger and stranger
than the tests do; the CLI and flows can override them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractSettings:
    max_bytes: int = 100 * 1024 * 1024  # files larger than this are refused (status unreadable, reason too_large)
    max_unzipped_bytes: int = 300 * 1024 * 1024  # DOCX/XLSX: total uncompressed size allowed (zip bombs)
    max_zip_ratio: float = 200.0  # DOCX/XLSX: uncompressed/compressed ratio allowed per member
    max_pdf_pages: int = 200
    convert_timeout: float = 120.0  # seconds for LibreOffice conversions (DOC, WPS)
    soffice: str = "soffice"  # LibreOffice binary
    read_timeout: float = 120.0  # seconds a PDF/sheet reader may spend before giving up (reason timed_out)
    max_sheet_cells: int = 2_000_000  # XLS/XLSX: cells read at most (then reason too_large)
    pdf_scan_min_chars_per_page: int = 20  # fewer text characters per page than this + page images = a scan


DEFAULT_SETTINGS = ExtractSettings()
