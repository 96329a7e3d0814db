"""`nianbao site`: build the static website of the dataset from the published warehouse."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="build the dataset's static website (charts, search, a page per agency)",
                       description="Build a static website from the published warehouse: national trend, coverage, "
                                   "timeliness, a page per region and per agency with every figure and its sources, "
                                   "and a search box. It works offline from file:// and on any static host (no CDN).")
    p.add_argument("--data-dir", type=Path, default=None, help="data directory (default: $NIANBAO_DATA_DIR or ./data)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: DATA_DIR/site; replaced atomically)")
    p.add_argument("--no-raw", action="store_true",
                   help="do not copy the stored raw documents into the site (links to them are left out)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from core.layout import default_data_dir
    from warehouse.site.build import build_site

    console = Console(stderr=True)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    with console.status("building the site") as status:
        s = build_site(data_dir, args.out, raw=not args.no_raw, progress=lambda m: status.update(m))
    console.print(f"site: {s.pages:,} pages ({s.agencies:,} agencies, {s.regions:,} regions), "
                  f"{s.raw_copies:,} raw documents, {s.bytes / 1e6:.1f} MB, {s.seconds:.1f} s"
                  + (f"; {s.raw_missing} raw documents missing from the data dir" if s.raw_missing else ""))
    console.print("open it in a browser (it works from file://) or copy the folder to any static web host:")
    print(Path(s.index).resolve().as_uri())
    return 0
