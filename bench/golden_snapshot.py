"""Every golden document's whole ExtractResult, written once and compared later: a speed change must not move a bit.

    .venv/bin/python bench/golden_snapshot.py dump before.json     # at the commit before the change
    .venv/bin/python bench/golden_snapshot.py compare before.json  # after each step: exit 1 on any difference

Every file under tests/golden/ that is a document (not a truth, builder, floor or note) is extracted with
`extract_path`; the results are kept as JSON (ints and floats stay apart), keyed by the path relative to the
repository, with `extractor_version` left out (a version bump alone is not a different output).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.pipeline import extract_path  # noqa: E402

NOT_DOCUMENTS = (".truth.json", ".py", ".md")


def golden_documents() -> list[Path]:
    out = []
    for p in sorted((ROOT / "tests" / "golden").rglob("*")):
        if not p.is_file() or p.name.endswith(NOT_DOCUMENTS) or p.name in ("floors.json",) or "__pycache__" in p.parts:
            continue
        out.append(p)
    return out


def snapshot() -> dict[str, str]:
    out = {}
    for p in golden_documents():
        rel = str(p.relative_to(ROOT))
        row = extract_path(p).to_dict()
        row["source"] = rel
        row.pop("extractor_version", None)
        out[rel] = json.dumps(row, ensure_ascii=False, sort_keys=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("dump", "compare"))
    ap.add_argument("file", type=Path)
    args = ap.parse_args()
    now = snapshot()
    if args.action == "dump":
        args.file.write_text(json.dumps(now, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{len(now)} documents written to {args.file}")
        return 0
    before = json.loads(args.file.read_text(encoding="utf-8"))
    diff = 0
    for rel in sorted(set(before) | set(now)):
        a, b = before.get(rel), now.get(rel)
        if a == b:
            continue
        diff += 1
        if a is None or b is None:
            print(f"{rel}: {'new' if a is None else 'gone'}")
            continue
        da, db = json.loads(a), json.loads(b)
        fields = [k for k in sorted(set(da) | set(db)) if da.get(k) != db.get(k)]
        print(f"{rel}: differs in {', '.join(fields)}")
        for k in fields[:3]:
            print(f"    before {k}: {str(da.get(k))[:300]}")
            print(f"    after  {k}: {str(db.get(k))[:300]}")
    print(f"{len(now)} documents, {diff} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
