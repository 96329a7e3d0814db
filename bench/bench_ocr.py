#!/usr/bin/env python
"""OCR seconds per page: our reader (grid included) against rapidocr's own recognition of the same image.

Usage: python bench/bench_ocr.py [--only SUBSTR] [--max-pages 8] [--json PATH]

Pages: the scanned golden fixtures (tests/golden/scans, pages as the OCR reader loads them) and the demo
portal's 图片版 report (demoportal/files/trs-qsx-2020_*.jpg).  For every page, in the same run and
alternately (the order swapped every page, after a warm-up, since these 2-core machines are shared):
  baseline  rapidocr's own recognition of the whole picture, `RapidOCR()(picture)` with its defaults
            (detection, angle classifier, recognition): what "just OCR the picture" costs; its sessions
            get the same threads as ours (--threads), so that the ratio measures our work, not threads;
  reader    extract.readers.ocr_layout.read_page: grey and seal removal, deskew, the same models once on
            the whole page, ruling lines and grid, boxes into cells, re-reads of unread ink, flags;
  ratio     reader / baseline, summed over the pages (target <= 1.3).
Then the demo's scanned report end to end (its page and two pictures through extract.scans, as the
nightly run reads it), and the load average, since the figures depend on it.  Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = 1.3


def fixture_pages(only: str | None, max_pages: int) -> list[tuple[str, object]]:
    from extract.readers import ocr
    from extract.settings import ExtractSettings

    settings = ExtractSettings()
    out: list[tuple[str, object]] = []
    for tp in sorted((ROOT / "tests/golden/scans").glob("*.truth.json")):
        if only and only not in tp.name:
            continue
        t = json.loads(tp.read_text(encoding="utf-8"))
        name = tp.name.replace(".truth.json", "")
        files = [tp.parent / p for p in t.get("pages") or [t["document"]]]
        for f in files:
            data = f.read_bytes()
            if data[:5] == b"%PDF-":
                import pypdfium2 as pdfium

                doc = pdfium.PdfDocument(data)
                images = [ocr.pdf_page_image(doc[i], settings) for i in range(len(doc))]
            elif data[:2] == b"PK":
                continue  # pictures inside a DOCX: the same pictures as the other kinds
            else:
                images = ocr.image_pages(data, settings)
            out += [(f"{name}:{i + 1}", img) for i, img in enumerate(images)]
    for f in sorted((ROOT / "demoportal/files").glob("trs-qsx-2020_*.jpg")):
        if not only or only in f.name:
            out += [(f"demo:{f.name}", img) for img in ocr.image_pages(f.read_bytes(), settings)]
    return out[:max_pages] if max_pages else out


def demo_report() -> tuple[float, dict]:
    from extract.scans import extract_page_with_pictures

    entry = json.loads((ROOT / "demoportal/files/manifest.json").read_text(encoding="utf-8"))["attachments"]["trs-qsx-2020"]
    spec = entry["spec"]
    files = sorted((ROOT / "demoportal/files").glob("trs-qsx-2020_*.jpg"))
    page_url = "https://www.example.gov.cn/xxgk/nb/t20210217_1.html"
    html = (f"<html><head><title>{spec['title']}</title></head><body><h1>{spec['title']}</h1>"
            + "".join(f'<p><img src="./{f.name}"></p>' for f in files)
            + f"<p>发布日期：{spec['published']}</p></body></html>").encode()
    pictures = [(page_url.rsplit("/", 1)[0] + "/" + f.name, f.read_bytes()) for f in files]
    t0 = time.perf_counter()
    res = extract_page_with_pictures(html, page_url, pictures)
    secs = time.perf_counter() - t0
    truth = entry["truth"]["cells"]
    right = sum(1 for k, v in res.cells.items() if v == truth.get(k))
    doubted = sum(1 for r in res.unverified_reasons if r.startswith("ocr: "))
    return secs, {"status": res.status, "layout": res.layout, "pages": res.ocr_pages, "cells_right": right,
                  "cells": len(truth), "doubted": doubted, "confidence_min": res.ocr_confidence_min,
                  "confidence_mean": res.ocr_confidence_mean}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=None, help="pages of fixtures whose name contains this")
    ap.add_argument("--max-pages", type=int, default=8, help="pages timed at most (0: all)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ap.add_argument("--threads", type=int, default=0,
                    help="ONNX Runtime threads for both (0: as `nianbao extract` would, NIANBAO_OCR_THREADS or every core)")
    args = ap.parse_args(argv)

    import cv2
    from rapidocr_onnxruntime import RapidOCR

    from extract.readers import ocr_engine, ocr_layout

    pages = fixture_pages(args.only, args.max_pages)
    if not pages:
        print("no pages", file=sys.stderr)
        return 1
    threads = ocr_engine.ocr_threads(args.threads)
    os.environ["NIANBAO_OCR_THREADS"] = str(threads)  # the demo report below too
    ocr_engine.engine(threads)
    baseline_engine = ocr_engine._build(RapidOCR, threads)

    def baseline(img):
        bgr = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        return baseline_engine(bgr)

    def reader(img):
        return ocr_layout.read_page(img)

    baseline(pages[0][1])  # warm-up: models loaded, first-run allocations done
    reader(pages[0][1])
    load0 = os.getloadavg()[0]
    rows = []
    for i, (name, img) in enumerate(pages):
        order = (baseline, reader) if i % 2 == 0 else (reader, baseline)
        took = {}
        for fn in order:
            t0 = time.perf_counter()
            fn(img)
            took[fn.__name__] = time.perf_counter() - t0
        h, w = img.shape[:2]
        rows.append((name, w, h, took["baseline"], took["reader"]))
    load1 = os.getloadavg()[0]
    head = f"{'page':<44} {'pixels':>11} {'baseline s':>10} {'reader s':>9} {'ratio':>6}"
    print(head)
    print("-" * len(head))
    for name, w, h, b, r in rows:
        print(f"{name:<44} {w:>5}x{h:<5} {b:10.2f} {r:9.2f} {r / b:6.2f}")
    tb, tr = sum(r[3] for r in rows), sum(r[4] for r in rows)
    ratio = tr / tb
    verdict = "PASS" if ratio <= TARGET else f"FAIL ({100 * (ratio / TARGET - 1):.0f}% over)"
    print(f"total {len(rows)} pages: baseline {tb:.1f} s ({tb / len(rows):.2f} s/page), reader {tr:.1f} s "
          f"({tr / len(rows):.2f} s/page); reader/baseline {ratio:.2f} (target <= {TARGET}): {verdict}")
    secs, demo = demo_report()
    print(f"demo portal's scanned report (page + {demo['pages']} pictures, extract.scans): {secs:.1f} s; "
          f"status {demo['status']}, cells right {demo['cells_right']}/{demo['cells']}, doubted {demo['doubted']}, "
          f"confidence min {demo['confidence_min']} mean {demo['confidence_mean']}")
    print(f"load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores (the figures scale with it); "
          f"{threads} ONNX Runtime thread(s) per engine")
    sys.path.insert(0, str(ROOT / "bench"))
    import benchout

    benchout.write("bench_ocr", [benchout.row(
        "ocr", "OCR of a scanned page (issue 13) vs rapidocr alone", ratio=round(ratio, 3),
        ratio_of="seconds for the same pages: our reader (grid, cells) / rapidocr's own recognition",
        value=f"{tr / len(rows):.2f} s/page", baseline=f"rapidocr {tb / len(rows):.2f} s/page", target=f"<= {TARGET:g}x",
        passed=ratio <= TARGET, note=f"demo scan end to end {secs:.1f} s, cells right {demo['cells_right']}/{demo['cells']}",
        pages=len(rows), load=[load0, load1])])
    if args.json:
        args.json.write_text(json.dumps({"pages": rows, "baseline_s": tb, "reader_s": tr, "ratio": ratio,
                                         "target": TARGET, "demo_seconds": secs, "demo": demo,
                                         "load": [load0, load1], "threads": threads}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
