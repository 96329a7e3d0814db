#!/usr/bin/env python
"""Throughput of the non-HTML readers: reports per second for 5-page text PDFs and for DOCX.

Usage: python bench/bench_formats.py [--files 4] [--rounds 3] [--json PATH]

The documents are generated at run time with the golden-corpus builder (tests/golden/build_files.py):
DOCX by python-docx, PDFs converted from them by LibreOffice (padded to exactly 5 pages).  Each file is
run through the full pipeline (extract.pipeline.extract_bytes: sniff, reader, table parser, checks) when
it exists, and through the reader alone; in the same run, the baseline is pdfplumber's own plain text
extraction (page.extract_text() for every page) of the same PDFs, and python-docx's text of the DOCX.
Prints a small table, the cell accuracy of the pipeline on the same documents (against the truths they
were rendered from), and the PDF target of issue 12: the pipeline at >= 4x pdfplumber's extract_text and
>= 5 five-page reports/s on one core (this runs in one process).  Nothing is asserted (no timed
assertions anywhere in the tests).
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "tests" / "golden"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

AGENCIES = ["达州市通川区市场监督管理局", "同江市农业农村局", "杭州市西湖区民政局", "朝阳县人民政府",
            "金华市金东区财政局", "佳木斯市前进区司法局", "泉州市丰泽区城市管理局", "合肥市蜀山区教育局"]


TARGET_RATIO = 4.0  # pipeline reports/s over pdfplumber extract_text reports/s, same files, same run
TARGET_RATE = 5.0  # five-page reports per second per core


def make_inputs(n: int) -> tuple[list[bytes], list[bytes], list[dict]]:
    import pypdfium2 as pdfium

    import build_files as B

    office = B.Office()
    pdfs: list[bytes] = []
    docxs: list[bytes] = []
    truths: list[dict] = []
    try:
        for i in range(n):
            template = "2021" if i % 2 == 0 else "2019"
            agency = AGENCIES[i % len(AGENCIES)]
            opts = {"footer": "dash", "header": i % 2 == 0}
            t, v, seed = B.make_truth(900 + i, "pdf", template, 2021 if template == "2021" else 2020, agency,
                                      [B.VAL] if i % 3 else [B.BR], opts)
            model = B.build_model(t, v, seed)
            truths.append(t)
            docx = B.render_docx(model, t, opts)
            docxs.append(docx)
            push, tried = 34, set()
            for _ in range(8):  # pad the prose until the PDF has exactly 5 pages
                tried.add(push)
                data = office.convert(B.render_docx(model, t, dict(opts, push=push)), "docx", "pdf:writer_pdf_Export", "pdf")
                pages = len(pdfium.PdfDocument(data))
                if pages == 5:
                    break
                step = 9 * (5 - pages) if pages < 5 else -5 * (pages - 5)
                while push + step in tried and step:
                    step += 1 if step > 0 else -1
                push = max(0, push + step)
            pdfs.append(data)
    finally:
        office.close()
    return pdfs, docxs, truths


def timed(fn, items: list[bytes], rounds: int) -> float:
    """Best-of-rounds documents per second."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for it in items:
            fn(it)
        best = min(best, time.perf_counter() - t0)
    return len(items) / best


def plain_pdfplumber(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def plain_docx(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=4, help="distinct documents per format")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds (best is kept)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)

    from extract.readers import docx as docx_reader
    from extract.readers import pdf as pdf_reader
    from extract.settings import DEFAULT_SETTINGS

    try:
        from extract.pipeline import extract_bytes
    except ImportError:
        extract_bytes = None

    t0 = time.perf_counter()
    pdfs, docxs, truths = make_inputs(args.files)
    gen = time.perf_counter() - t0
    import pypdfium2 as pdfium

    pages = [len(pdfium.PdfDocument(p)) for p in pdfs]
    # warm up imports and caches
    plain_pdfplumber(pdfs[0])
    pdf_reader.read(pdfs[0], DEFAULT_SETTINGS)
    docx_reader.read(docxs[0], DEFAULT_SETTINGS)
    accuracy: dict[str, tuple[int, int]] = {}
    if extract_bytes:
        extract_bytes(pdfs[0], "warmup.pdf")
        statuses = []
        for fmt, docs in (("pdf", pdfs), ("docx", docxs)):
            right = total = 0
            for i, (data, t) in enumerate(zip(docs, truths)):
                res = extract_bytes(data, f"bench{i}.{fmt}")
                statuses.append(res.status)
                right += sum(1 for k, want in t["cells"].items() if (res.cells or {}).get(k) == want)
                total += len(t["cells"])
            accuracy[fmt] = (right, total)
    else:
        statuses = []

    rows = []
    base_pdf = timed(plain_pdfplumber, pdfs, args.rounds)
    read_pdf = timed(lambda d: pdf_reader.read(d, DEFAULT_SETTINGS), pdfs, args.rounds)
    pipe_pdf = timed(lambda d: extract_bytes(d, "bench.pdf"), pdfs, args.rounds) if extract_bytes else None
    rows.append(("pdf (5 pages)", len(pdfs), pipe_pdf, read_pdf, "pdfplumber extract_text", base_pdf))
    base_docx = timed(plain_docx, docxs, args.rounds)
    read_docx = timed(lambda d: docx_reader.read(d, DEFAULT_SETTINGS), docxs, args.rounds)
    pipe_docx = timed(lambda d: extract_bytes(d, "bench.docx"), docxs, args.rounds) if extract_bytes else None
    rows.append(("docx", len(docxs), pipe_docx, read_docx, "python-docx text", base_docx))

    print(f"inputs: {len(pdfs)} PDFs (pages {sorted(set(pages))}), {len(docxs)} DOCX; generated in {gen:.1f}s; "
          f"best of {args.rounds} rounds" + (f"; pipeline statuses {sorted(set(statuses))}" if statuses else ""))
    head = f"{'format':<14} {'files':>5} {'pipeline/s':>11} {'reader/s':>9} {'baseline':<24} {'base/s':>8} {'pipeline:base':>13} {'reader:base':>11}"
    print(head)
    print("-" * len(head))
    for fmt, n, pipe, reader, base_name, base in rows:
        pipe_s = f"{pipe:11.2f}" if pipe else f"{'-':>11}"
        ratio_p = f"{pipe / base:13.2f}" if pipe else f"{'-':>13}"
        print(f"{fmt:<14} {n:>5} {pipe_s} {reader:9.2f} {base_name:<24} {base:8.2f} {ratio_p} {reader / base:11.2f}")
    print("(ratios are throughput ratios: 0.50 means half as many reports per second as the baseline)")
    for fmt, (right, total) in accuracy.items():
        print(f"accuracy {fmt}: {right}/{total} cells ({100.0 * right / max(total, 1):.2f}%) against the truths")
    figures = {"pdf_pipeline_per_s": pipe_pdf, "pdf_reader_per_s": read_pdf, "pdfplumber_per_s": base_pdf,
               "docx_pipeline_per_s": pipe_docx, "docx_reader_per_s": read_docx, "python_docx_per_s": base_docx,
               "accuracy": {k: list(v) for k, v in accuracy.items()}}
    if pipe_pdf:
        ratio = pipe_pdf / base_pdf
        ok = ratio >= TARGET_RATIO and pipe_pdf >= TARGET_RATE
        verdict = "PASS" if ok else "FAIL"
        miss = []
        if ratio < TARGET_RATIO:
            miss.append(f"ratio {ratio:.2f}x is {100 * (1 - ratio / TARGET_RATIO):.0f}% short of {TARGET_RATIO:g}x")
        if pipe_pdf < TARGET_RATE:
            miss.append(f"{pipe_pdf:.2f} reports/s is {100 * (1 - pipe_pdf / TARGET_RATE):.0f}% short of {TARGET_RATE:g}/s")
        print(f"target pdf (issue 12): pipeline >= {TARGET_RATIO:g}x pdfplumber extract_text and >= {TARGET_RATE:g} "
              f"five-page reports/s/core: {pipe_pdf:.2f}/s, {ratio:.2f}x -> {verdict}" + (f" ({'; '.join(miss)})" if miss else ""))
        figures.update(pdf_ratio=ratio, pdf_target_pass=ok)
    if args.json:
        import json

        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    import benchout

    ours = pipe_pdf or read_pdf  # reports/s of the whole pipeline (the reader alone if there is none)
    ratio = ours / base_pdf
    miss = []
    if ratio < TARGET_RATIO:
        miss.append(f"{100 * (1 - ratio / TARGET_RATIO):.0f}% short of {TARGET_RATIO:g}x")
    if ours < TARGET_RATE:
        miss.append(f"{100 * (1 - ours / TARGET_RATE):.0f}% short of {TARGET_RATE:g} reports/s")
    acc = accuracy.get("pdf")
    benchout.write("bench_formats", [benchout.row(
        "pdf", "PDF with a text layer", ratio=round(ratio, 3),
        ratio_of="five-page reports/s: " + ("extract_bytes" if pipe_pdf else "PDF reader") + " / pdfplumber",
        value=f"{ours:.2f} reports/s", baseline=f"pdfplumber extract_text {base_pdf:.2f} reports/s",
        target=f">= {TARGET_RATIO:g}x and >= {TARGET_RATE:g} reports/s/core",
        passed=ratio >= TARGET_RATIO and ours >= TARGET_RATE,
        note="; ".join(miss + ([f"cells {acc[0]}/{acc[1]}"] if acc else [])),
        files=len(pdfs), rounds=args.rounds, reader_reports_per_second=read_pdf,
        pipeline_reports_per_second=pipe_pdf, pdfplumber_reports_per_second=base_pdf,
        accuracy={k: list(v) for k, v in accuracy.items()})])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
