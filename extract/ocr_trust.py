"""Trust of an OCR'd report: per-value confidence, values OCR could not confirm, min and mean confidence.

The OCR reader (extract/readers/ocr.py) gives every cell the confidence of its text and hands a value it
could not confirm on blank, with its confidence: blank text with a confidence means "ink was there, the
reading was not sure enough", a printed blank has no confidence.  After the table parser has read the
cells like any other format's, this module finds which cell each canonical value came from and
- stores a value OCR could not confirm as null (it already is: the cell was blank) with a reason in
  `unverified_reasons` ("ocr: apply.new.person not read with confidence (0.62)"), and the report is not
  verified: never a guessed digit, never a silent gap;
- sets `ocr_confidence_min` / `ocr_confidence_mean` over the values read (the report's trust figures for
  the warehouse) and `ocr_pages`;
- does not verify an OCR'd report whose checks fail or whose identities a null keeps from being checked:
  a digit read as blank or a row not found would otherwise pass as "not printed".

Which cell a value came from: the parser is run once more on a copy of the cells in which every value
cell's text is a unique code number (10**9 + its index).  Codes are plain integers, so the parser places
them exactly as it placed the real values; the key that receives code k came from cell k.  A key whose
real raw text does not match its cell is left out (no attribution rather than a wrong one).
"""
from __future__ import annotations

from .model import OK, Cell, ExtractResult, ParsedDocument

CODE_BASE = 10**9
IDENTITIES = ("apply_flow.", "apply_results.", "apply_row.", "review_group.")


def _coded(cells: list[Cell]) -> tuple[list[Cell], dict[int, int]]:
    from .values import parse_value

    out: list[Cell] = []
    code_of: dict[int, int] = {}
    for i, c in enumerate(cells):
        if c.table is not None and (parse_value(c.text) is not None or (not c.text.strip() and c.confidence is not None)):
            code = CODE_BASE + i
            code_of[code] = i
            out.append(Cell(str(code), c.table, c.row, c.confidence))
        else:
            out.append(c)
    return out, code_of


def provenance(doc: ParsedDocument, template: str, raw: dict[str, str]) -> dict[str, Cell]:
    """{canonical key: the cell its value was read from}, for the keys that can be attributed."""
    from .tables import parse_tables

    coded, code_of = _coded(doc.cells)
    try:
        values = parse_tables(coded, template).values
    except Exception:  # noqa: BLE001 - attribution is best effort; the report itself is already read
        return {}
    out: dict[str, Cell] = {}
    for key, cv in values.items():
        number = getattr(cv, "value", None)
        if not isinstance(number, int) or number not in code_of:
            continue
        cell = doc.cells[code_of[number]]
        if (raw.get(key) or "").strip() != cell.text.strip():
            continue  # the real parse read something else here: do not attribute
        out[key] = cell
    return out


def apply(res: ExtractResult, doc: ParsedDocument, min_confidence: float | None = None) -> ExtractResult:
    """Confidence figures and unconfirmed values of an OCR'd result (layout "ocr")."""
    try:
        res.ocr_pages = int(doc.meta.get("ocr_pages") or 0) or None
    except ValueError:
        res.ocr_pages = None
    by_key = provenance(doc, res.template, res.raw) if res.status == OK and res.template else {}
    confs: list[float] = []
    doubts: list[str] = []
    for key in sorted(by_key):
        cell = by_key[key]
        if cell.confidence is None:
            continue
        confs.append(cell.confidence)
        if not cell.text.strip():
            if res.cells.get(key) is not None:  # never: the cell was blank; keep the promise anyway
                res.cells[key] = None
            doubts.append(f"ocr: {key} not read with confidence ({cell.confidence:.2f})")
    if not confs:  # not a report, or nothing attributable: the document's own figures
        confs = [c.confidence for c in doc.cells if c.confidence is not None and c.text.strip()]
    if confs:
        res.ocr_confidence_min = round(min(confs), 4)
        res.ocr_confidence_mean = round(sum(confs) / len(confs), 4)
    placed = {id(c) for c in by_key.values()}
    unplaced = [c for c in doc.cells if c.table is not None and not c.text.strip() and c.confidence is not None
                and id(c) not in placed]
    if res.status == OK and unplaced:
        # a value OCR could not confirm that no key took: a row or column may hide behind it
        doubts.append(f"ocr: {len(unplaced)} table cells not read with confidence and not placed")
    if res.status == OK:
        # an identity that a null keeps from being checked, or a check that fails, cannot confirm an OCR'd
        # reading either: a value read as blank, a row not found (the text-layer rules may accept them)
        for c in res.checks:
            rule = c.get("rule", "")
            if c.get("ok") is None and rule.startswith(IDENTITIES):
                doubts.append(f"ocr: {rule} not checkable (a value it needs is null)")
            elif c.get("ok") is False:
                doubts.append(f"ocr: {rule} failed")
    if doubts and res.status == OK:
        res.verified = False
        known = set(res.unverified_reasons or [])
        res.unverified_reasons = list(res.unverified_reasons or []) + [d for d in doubts if d not in known]
    return res
