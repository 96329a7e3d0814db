"""Build the demo portal's attachments (PDF, DOC, DOCX, XLS, XLSX, scanned JPG pages) into ``files/``.

Run once by a developer; the output is checked in so that starting the portal needs no LibreOffice:

    python -m demoportal.build_files            # needs soffice (apt-get install libreoffice-writer-nogui
                                                        #   libreoffice-calc-nogui fonts-wqy-zenhei)

It writes ``files/manifest.json``: for each attachment key the truth (cells as printed) and the files made.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import catalog, docwriter

FILES_DIR = Path(__file__).parent / "files"
MANIFEST = FILES_DIR / "manifest.json"
TRUTH_SEED = 20240101


def _soffice(src: Path, fmt: str, outdir: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("soffice not found: apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-zenhei")
    profile = Path(tempfile.mkdtemp(prefix="lo_profile_"))
    try:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = outdir / (src.stem + "." + ext)
    if not out.exists():
        raise RuntimeError(f"conversion of {src} to {fmt} produced nothing")
    return out


def _scan_pages(pdf: Path, stem: str, outdir: Path) -> list[Path]:
    """Render the PDF's pages to JPEGs that look scanned (grey, slightly rotated, JPEG noise)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    out = []
    doc = pdfium.PdfDocument(str(pdf))
    for i in range(len(doc)):
        page = doc[i]
        img = page.render(scale=2.0).to_pil().convert("L")
        img = img.rotate(0.6 if i % 2 == 0 else -0.4, resample=Image.BICUBIC, expand=False, fillcolor=250)
        img = img.filter(ImageFilter.GaussianBlur(0.4))
        path = outdir / f"{stem}_{i + 1}.jpg"
        img.save(path, "JPEG", quality=72)
        out.append(path)
    return out


def build(keys: list[str] | None = None) -> dict:
    from . import reports

    FILES_DIR.mkdir(exist_ok=True)
    manifest = {"version": 1, "truth_seed": TRUTH_SEED, "attachments": {}}
    if MANIFEST.exists():
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for spec in catalog.attachment_specs():
        key = spec["key"]
        if keys and key not in keys:
            continue
        truth = reports.random_truth(spec["template"], spec["report_year"], spec["agency"],
                                     catalog.stable_int(TRUTH_SEED, key) % 10**6, published=spec["published"],
                                     zero_share=spec["zero_share"], consistent=spec["consistent"],
                                     other_single_row=spec["other_single_row"])
        truth["document"] = key
        truth["title"] = spec["title"]
        truth["other_single_row"] = spec["other_single_row"]
        form = spec["form"]
        for old in FILES_DIR.glob(f"{key}.*"):
            old.unlink()
        for old in FILES_DIR.glob(f"{key}_*.jpg"):
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            tmpd = Path(tmp)
            made: list[Path] = []
            if form in ("docx", "doc", "pdf", "image"):
                docx = tmpd / f"{key}.docx"
                docx.write_bytes(docwriter.build_docx(truth))
                if form == "docx":
                    made = [docx]
                elif form == "doc":
                    made = [_soffice(docx, "doc:MS Word 97", tmpd)]
                else:
                    pdf = _soffice(docx, "pdf:writer_pdf_Export", tmpd)
                    made = [pdf] if form == "pdf" else _scan_pages(pdf, key, tmpd)
            elif form in ("xlsx", "xls"):
                xlsx = tmpd / f"{key}.xlsx"
                xlsx.write_bytes(docwriter.build_xlsx(truth))
                made = [xlsx] if form == "xlsx" else [_soffice(xlsx, "xls:MS Excel 97", tmpd)]
            else:
                raise ValueError(form)
            files = []
            for p in made:
                dest = FILES_DIR / p.name
                shutil.copyfile(p, dest)
                data = dest.read_bytes()
                files.append({"file": p.name, "format": p.suffix.lstrip(".").replace("jpg", "image"),
                              "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        manifest["attachments"][key] = {"spec": spec, "truth": truth, "files": files}
        print(f"{key}: {', '.join(f['file'] for f in files)}")
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("keys", nargs="*", help="only these attachment keys (default: all)")
    args = ap.parse_args(argv)
    build(args.keys or None)


if __name__ == "__main__":
    main()
