"""`nianbao extract PATH... [--url URL] [--json]`: documents in, canonical cells out. `-` reads standard input."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract the tables of report documents (HTML, text, PDF, Word, sheets)",
                       description="Read report documents and print their canonical cells.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders (folders are read recursively); - reads one document from standard input")
    p.add_argument("--url", help="the URL the document was fetched from (kept in the output)")
    p.add_argument("--json", action="store_true", help="print one JSON object per document (JSON Lines)")
    p.add_argument("--pages", action="store_true",
                   help="the files are the pictures of one report, in page order (read as one document)")
    p.add_argument("--no-ocr", action="store_true",
                   help="do not OCR scanned pages (pictures, image-only PDFs): they stay no_tables/scanned "
                        "(also NIANBAO_OCR=0)")
    p.set_defaults(func=run)
    p = sub.add_parser("evaluate", help="accuracy of the extractor on a golden corpus (documents + *.truth.json)",
                       description="Extract every document that has a *.truth.json under DIR and compare.")
    p.add_argument("dir", metavar="DIR", help="corpus folder, e.g. tests/golden")
    p.set_defaults(func=evaluate)


def evaluate(args: argparse.Namespace) -> int:
    from extract.evaluate import evaluate as run_evaluation, format_report

    root = Path(args.dir)
    if not root.is_dir():
        raise UserError(f"no such folder: {root}")
    scores = run_evaluation(root)
    if not scores.docs:
        raise UserError(f"no *.truth.json under {root}")
    print(format_report(scores))
    right, total = scores.rate("cells")
    silent, _ = scores.rate("silent_errors")
    return 0 if right == total and silent == 0 and all(not d.errors for d in scores.docs) else 1


STDIN = "-"


def _files(paths: list[str]) -> list[Path | str]:
    out: list[Path | str] = []
    if paths.count(STDIN) > 1:
        raise UserError("standard input (-) can be read only once")
    for raw in paths:
        if raw == STDIN:
            out.append(STDIN)
            continue
        p = Path(raw)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.endswith(".truth.json"))
        elif p.is_file():
            out.append(p)
        else:
            raise UserError(f"no such file or folder: {raw}")
    return out


def _settings(args: argparse.Namespace):
    import dataclasses

    from extract.settings import current_settings

    try:
        settings = current_settings()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if getattr(args, "no_ocr", False):
        settings = dataclasses.replace(settings, ocr=False)
    return settings


class _OcrProgress:
    """One line on stderr per scanned page OCR'd (a page takes seconds, on a loaded machine minutes): the user
    sees that the work goes on, and where, whatever the output mode."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.name = ""
        self.t0 = 0.0

    def document(self, name: str) -> None:
        import time

        self.name, self.t0 = name, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        import time

        self.console.print(f"OCR {self.name}: page {done}/{total} ({time.perf_counter() - self.t0:.0f} s)",
                           highlight=False, soft_wrap=True)

    def __enter__(self) -> "_OcrProgress":
        from extract.readers import ocr

        ocr.set_progress(self)
        return self

    def __exit__(self, *exc) -> None:
        from extract.readers import ocr

        ocr.set_progress(None)


def _extract(item: Path | str, url: str | None, settings):
    """One document: a file, or standard input (read up to the size limit, never more)."""
    from extract.pipeline import extract_path

    if item != STDIN:
        return extract_path(item, url=url, settings=settings)
    from core.records import UNREADABLE, ExtractResult
    from extract.pipeline import EXTRACTOR_VERSION, extract_bytes

    limit = settings.max_bytes
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        return ExtractResult(source=STDIN, url=url, status=UNREADABLE, extractor_version=EXTRACTOR_VERSION,
                             reason=f"too_large: more than {limit} bytes on standard input (limit {limit})")
    return extract_bytes(data, STDIN, url=url, settings=settings)


def run(args: argparse.Namespace) -> int:
    files = _files(args.paths)
    settings = _settings(args)
    with _OcrProgress() as progress:
        if getattr(args, "pages", False):
            if STDIN in files:
                raise UserError("--pages reads picture files; standard input (-) is one document, without --pages")
            from extract.scans import extract_pictures

            progress.document(f"{Path(files[0]).name} (+{len(files) - 1} pictures)" if len(files) > 1
                              else Path(files[0]).name)
            res = extract_pictures([f.read_bytes() for f in files], str(files[0]), url=args.url, settings=settings)
            sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False) + "\n")
            return 0
        if args.json:
            for f in files:
                progress.document(str(f))
                res = _extract(f, args.url, settings)
                sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False) + "\n")
            return 0
        return _table(files, args, settings, progress)


def _table(files: list[Path], args: argparse.Namespace, settings, progress: _OcrProgress) -> int:
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    console = Console(stderr=False)
    table = Table(title=f"{len(files)} documents")
    for col in ("source", "status", "template", "year", "agency", "published", "cells", "checks failed", "verified"):
        table.add_column(col)
    counts: dict[str, int] = {}
    ocr_pages = ocr_docs = 0
    verified = 0
    for f in track(files, description="extracting", console=progress.console, transient=True,
                   disable=len(files) < 5):
        progress.document(str(f))
        res = _extract(f, args.url, settings)
        counts[res.status] = counts.get(res.status, 0) + 1
        verified += bool(res.verified)
        if res.ocr_pages:
            ocr_pages += res.ocr_pages
            ocr_docs += 1
        filled = sum(v is not None for v in res.cells.values())
        failed = sum(c["ok"] is False for c in res.checks)
        table.add_row(str(f), res.status if not res.reason else f"{res.status}: {res.reason}", res.template or "",
                      str(res.report_year or ""), res.agency or "", res.published or "",
                      f"{filled}/{len(res.cells)}" if res.cells else "", str(failed) if res.cells else "",
                      "" if res.verified is None else ("yes" if res.verified else
                                                       "no: " + "; ".join(res.unverified_reasons[:2])
                                                       + (" …" if len(res.unverified_reasons) > 2 else "")))
    console.print(table)
    console.print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                  + (f"; verified {verified} of {counts.get('ok', 0)} ok reports" if counts.get("ok") else "")
                  + (f"; OCR: {ocr_pages} pages in {ocr_docs} documents" if ocr_docs else ""))
    return 0
