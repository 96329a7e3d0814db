"""From the cells of a document to the canonical cells of the template.

The parser walks the document's cells once, in reading order.  When a cell reads as a row label
(see rows.py) it takes the values that follow it: in the same table row when the format has rows,
else the next cells of the stream.  Headers are only used to find the review table, whose single
data row of 15 values has no label.  Nothing is ever set to 0 that was not printed as 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Cell
from .rows import REVIEW_COLS, REVIEW_GROUPS, RowSpec, row_specs
from .textnorm import has_cjk, squash, strip_enum
from .values import Value, parse_value

MAX_LABEL_LEN = 64  # squashed characters; longer text is narrative, not a row label
_PAREN_TAIL = re.compile(r"[(（][^()（）]*[)）]$")
_SPLIT_TAIL = re.compile(r"^(?P<label>.*?[^\s\d+\-.,])\s+(?P<values>(?:\S+\s+)*\S+)$")


@dataclass
class CellValue:
    value: int | float | None
    raw: str
    unit: str | None


@dataclass
class TableResult:
    values: dict[str, CellValue] = field(default_factory=dict)
    rows_found: dict[str, int] = field(default_factory=lambda: {"active": 0, "apply": 0, "review": 0})
    problems: list[str] = field(default_factory=list)  # layout problems worth a failed check
    other_single_row: bool = False


@dataclass(slots=True)
class _Tok:
    text: str
    label: str  # squashed text
    value: Value | None
    table: int | None
    row: int | None


def _tokens(cells: list[Cell]) -> list[_Tok]:
    """Prepare cells; free-text lines like "规章 0 0 0" are split into a label and its values."""
    out: list[_Tok] = []
    for c in cells:
        text = c.text
        structured = c.table is not None
        if not structured and " " in text.strip():
            m = _SPLIT_TAIL.match(text.strip())
            if m:
                parts = m.group("values").split()
                vals = [parse_value(p) for p in parts]
                if all(v is not None for v in vals) and has_cjk(m.group("label")):
                    out.append(_Tok(m.group("label"), squash(m.group("label")), None, None, None))
                    out.extend(_Tok(p, squash(p), v, None, None) for p, v in zip(parts, vals))
                    continue
        value = parse_value(text)
        if value is not None and text.strip() == "" and not structured:
            continue  # a blank line in free text is not a blank cell
        out.append(_Tok(text, squash(text), value, c.table, c.row if structured else None))
    return out


def _exact_form(label: str) -> str:
    label = strip_enum(label)
    while True:
        stripped = _PAREN_TAIL.sub("", label)
        if stripped == label:
            return label
        label = stripped


class _Matcher:
    """Finds the row spec a label belongs to (the keyword printed last wins: "(三)不予公开1.属于国家秘密")."""

    def __init__(self, specs: list[RowSpec]):
        self.specs = specs
        # one pass over the label rules out most cells (headers, narrative) before the per-spec loop
        self.any_keyword = re.compile("|".join(re.escape(k) for spec in specs for k in spec.keywords))

    def match(self, label: str, context: set[str]) -> RowSpec | None:
        if len(label) > MAX_LABEL_LEN or not self.any_keyword.search(label):
            return None
        exact = _exact_form(label)
        best: tuple[int, int, RowSpec] | None = None
        for spec in self.specs:
            if spec.context and spec.context not in context:
                continue
            for kw in spec.keywords:
                if spec.exact:
                    if exact != kw and not exact.endswith(kw) or (exact != kw and len(exact) > len(kw) + 2):
                        continue
                    pos = label.rfind(kw)
                else:
                    pos = label.rfind(kw)
                    if pos < 0:
                        continue
                cand = (pos, len(kw), spec)
                if best is None or cand[:2] > best[:2]:
                    best = cand
        return best[2] if best else None


def _row_values(toks: list[_Tok], i: int, n: int) -> tuple[list[_Tok] | None, str | None]:
    """The value cells belonging to the label at toks[i]; (None, None) when no values follow."""
    tok = toks[i]
    if tok.row is not None:
        same = []
        j = i + 1
        while j < len(toks) and toks[j].table == tok.table and toks[j].row == tok.row:
            same.append(toks[j])
            j += 1
        vals = [t for t in same if t.value is not None]
        if any(t.value is None for t in same[len(same) - len(vals):]):
            # a label cell between values: only the trailing run of values counts
            run = []
            for t in reversed(same):
                if t.value is None:
                    break
                run.append(t)
            vals = list(reversed(run))
        nonblank = [t for t in vals if t.text.strip()]
        if not nonblank:
            # values on the next row (some PDF and Word tables break a row in two)
            nxt = []
            while j < len(toks) and toks[j].value is not None and toks[j].row is not None:
                if nxt and (toks[j].row != nxt[0].row):
                    break
                nxt.append(toks[j])
                j += 1
            if nxt and len(nxt) == n and any(t.text.strip() for t in nxt):
                return nxt, None
            return None, None
        if len(vals) == n:
            return vals, None
        # strip empty cells padding either side (spanned label columns, fillers)
        while len(vals) > n and not vals[-1].text.strip():
            vals.pop()
        while len(vals) > n and not vals[0].text.strip():
            vals.pop(0)
        if len(vals) == n:
            return vals, None
        if len(vals) > n:
            return vals[:n], f"{len(vals)} values where {n} expected"
        return vals + [None] * (n - len(vals)), f"{len(vals)} values where {n} expected"  # type: ignore[list-item]
    vals = []
    j = i + 1
    while j < len(toks) and len(vals) < n and toks[j].value is not None:
        vals.append(toks[j])
        j += 1
    if not vals:
        return None, None
    if len(vals) < n:
        return [None] * n, f"{len(vals)} values where {n} expected; row not read"  # type: ignore[list-item]
    return vals, None


def _fit(run: list[_Tok], n: int) -> list[_Tok] | None:
    """Trim blank cells at the edges of a run (label columns, fillers) down to n cells."""
    while len(run) > n and not run[0].text.strip():
        run = run[1:]
    while len(run) > n and not run[-1].text.strip():
        run = run[:-1]
    if len(run) == n and any(t.text.strip() for t in run):
        return run
    return None


def _review_run(toks: list[_Tok], start: int) -> list[_Tok] | None:
    """The first run of 15 value cells after the review table's header.

    In a table with rows, the data row is taken whole (a blank first cell is a blank value);
    in flattened text the run is the 15 values that follow the headers.
    """
    i = start
    n = len(REVIEW_GROUPS) * len(REVIEW_COLS)
    while i < len(toks):
        if toks[i].value is None:
            i += 1
            continue
        j = i
        while j < len(toks) and toks[j].value is not None:
            j += 1
        run = toks[i:j]
        if run[0].row is not None:
            by_row: dict[tuple, list[_Tok]] = {}
            for t in run:
                by_row.setdefault((t.table, t.row), []).append(t)
            for row_cells in by_row.values():
                fitted = _fit(row_cells, n)
                if fitted:
                    return fitted
        else:
            fitted = _fit(run, n) if len(run) >= n else None
            if fitted is None and len(run) > n:
                fitted = run[:n]
            if fitted:
                return fitted
        i = j
    return None


_REVIEW_ANCHOR = ("行政复议", "行政诉讼")


def _inner_label(toks: list[_Tok], i: int, matcher: _Matcher, context: set[str]) -> bool:
    """True when a later cell of the same table row is itself a row label."""
    tok = toks[i]
    if tok.row is None:
        return False
    j = i + 1
    inner_context = context | {"other", "results", "apply"}
    while j < len(toks) and toks[j].table == tok.table and toks[j].row == tok.row:
        t = toks[j]
        if t.value is None and t.label and matcher.match(t.label, inner_context) is not None:
            return True
        j += 1
    return False


def parse_tables(cells: list[Cell], template: str) -> TableResult:
    toks = _tokens(cells)
    specs = row_specs(template)
    matcher = _Matcher(specs)
    result = TableResult()
    context: set[str] = set()
    review_anchor: int | None = None
    review_groups_by_row = False

    def assign(spec: RowSpec, vals: list[_Tok | None]) -> None:
        for key, t in zip(spec.keys(), vals):
            if t is None:
                result.values[key] = CellValue(None, "", None)
            else:
                result.values[key] = CellValue(t.value.number if t.value else None, t.text.strip(), t.value.unit if t.value else None)

    for i, tok in enumerate(toks):
        if tok.value is not None:
            continue
        label = tok.label
        if not label:
            continue
        exact = _exact_form(label)
        if "apply" in context and review_anchor is None and exact in _REVIEW_ANCHOR and "results" in context:
            review_anchor = i
            context.add("review")
        if "其他处理" in label and "apply" in context:
            context.add("other")
        spec = matcher.match(label, context)
        if spec is None:
            continue
        first_key = spec.keys()[0]
        if first_key in result.values:
            continue  # first printing wins (pages that repeat a table)
        if spec.table == "apply" and review_anchor is not None and spec.prefix != "apply.carried_forward":
            continue  # review headers ("总计") after the applications table
        if _inner_label(toks, i, matcher, context):
            continue  # a group label ("(六)其他处理") whose sub-row label shares its table row
        vals, problem = _row_values(toks, i, len(spec.cols))
        if vals is None:
            continue
        if problem:
            result.problems.append(f"{spec.prefix}: {problem}")
        assign(spec, vals)
        result.rows_found[spec.table] += 1
        if spec.table == "apply":
            context.add("apply")
            if spec.prefix not in ("apply.new", "apply.carried_over"):
                context.add("results")
            if spec.prefix == "apply.other":
                result.other_single_row = True
            if spec.prefix == "apply.total":
                context.discard("other")
        if spec.table == "review":
            review_groups_by_row = True
    if not review_groups_by_row:
        anchor = review_anchor
        if anchor is None:
            for i, tok in enumerate(toks):
                if tok.value is None and _exact_form(tok.label) in _REVIEW_ANCHOR:
                    anchor = i
                    break
        if anchor is not None:
            run = _review_run(toks, anchor)
            if run:
                keys = [f"review.{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLS]
                for key, t in zip(keys, run):
                    result.values[key] = CellValue(t.value.number if t.value else None, t.text.strip(), t.value.unit if t.value else None)
                result.rows_found["review"] = 1
    return result
