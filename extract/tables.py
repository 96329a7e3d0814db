"""From the cells of a document to the canonical cells of the template, by the template's structure.

One walk over the document's cells (`walk`) normalises each cell once, looks every short label up in the keyword
index built once from the template (rows.label_index, both versions at once) and notes, in reading order,
- the row labels it recognises (with the enumerator printed in front of them),
- the labels it does not recognise but that are followed by values (a row label with printing errors, perhaps),
- where the applications table starts, which of its columns the header names, and where the review table starts.

`assign` then reads the values of one template version from those notes:
1. every recognised label takes the values that follow it (same table row, else the next cells); the first
   printing of a row wins (pages that repeat a table);
2. an unrecognised label lands on a row only by the template's order: between the rows found before and after it,
   it may take only a row not yet found that lies between them in the template, and only when its label is similar
   enough to that row's official label (rows.RowSpec.label; textnorm.similarity).  A weak likeness alone never moves
   a value across rows that were found, so a table printed in another order keeps its rows where their labels say;
3. rows whose printed numbers and texts cross (the number of one row printed with the text of another, both ways)
   are reported as ambiguous: no reading of the labels can tell swapped rows from mislabelled ones;
4. what the template has and the document does not is listed: missing tables, rows and columns (the
   applications table's header names its columns; a report that drops one prints fewer values per row).
Values of rows not found stay null; nothing is ever 0 that was not printed 0.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Cell
from .rows import (APPLY_COLS, COLUMN_WORDS, REVIEW_COLS, REVIEW_GROUPS, Candidate, RowSpec, group_members,
                   label_index, row_specs, spec_map)
from .textnorm import enumerator_before, has_cjk, label_forms, similarity, squash, strip_enum
from .values import Value, parse_value

MAX_LABEL_LEN = 64  # squashed characters; longer text is narrative, not a row label
SIMILAR_ONE = 0.45  # the likeness a label needs when it is the only row printed where one row is missing
SIMILAR_MANY = 0.6  # … when several rows are missing in the same place
_PAREN_TAIL = re.compile(r"[(（][^()（）]*[)）]$")
_SPLIT_TAIL = re.compile(r"^(?P<label>.*?[^\s\d+\-.,])\s+(?P<values>(?:\S+\s+)*\S+)$")
_REVIEW_ANCHOR = ("行政复议", "行政诉讼")
_INNER_CONTEXT = frozenset({"other", "results", "apply"})


@dataclass(frozen=True, slots=True)
class CellValue:
    """A cell as read: shared by every token of the same text (frozen: one instance serves many reports)."""

    value: int | float | None
    raw: str
    unit: str | None


_NO_CELL = CellValue(None, "", None)  # a row printed with fewer cells than its columns


@dataclass
class TableResult:
    template: str = ""
    values: dict[str, CellValue] = field(default_factory=dict)
    rows_found: dict[str, int] = field(default_factory=lambda: {"active": 0, "apply": 0, "review": 0})
    found: dict[str, str] = field(default_factory=dict)  # prefix -> "label" | "similar" (how the row was found)
    tables_missing: list[str] = field(default_factory=list)  # active | apply | review
    rows_missing: list[str] = field(default_factory=list)  # row prefixes, e.g. apply.denied.query_matter
    columns_missing: list[str] = field(default_factory=list)  # e.g. apply.legal
    row_problems: list[str] = field(default_factory=list)  # "apply.granted: 6 values where 7 expected"
    ambiguous: list[str] = field(default_factory=list)  # "apply.denied.third_party: …"
    other_single_row: bool = False

    @property
    def problems(self) -> list[str]:  # kept for callers of the earlier interface
        return self.row_problems


# A token is one cell prepared for the parser, as a plain tuple (a document has hundreds; a tuple costs a sixth of an
# object to make): (squashed label, value or None, table or None, row or None, CellValue as read, blank).
_Tok = tuple
_LABEL, _VALUE, _TABLE, _ROW, _CELL, _BLANK = range(6)


_LAZY = -1  # _Hit.enum not read yet (most hits never need it)


@dataclass(slots=True)
class _Hit:
    i: int  # token index of the label
    cands: tuple[Candidate, ...]  # rows its keywords name, best first (context already applied); () when unknown
    enum: int | None  # the number printed in front of it
    labels: tuple[str, ...] = ()  # for an unknown label: the label and its joins with the cells before it
    inner: bool = False  # a later cell of its table row is itself a row label (a group label beside its sub-row)


@dataclass
class Walk:
    """What one walk over a document's cells found, for every template version."""

    toks: list[_Tok]
    hits: list[_Hit]
    review_anchor: int | None = None
    apply_start: int | None = None
    apply_header: tuple[str, ...] = ()  # columns the applications table's header names, in print order


_Normal = tuple[str, "Value | None", CellValue, bool]  # (squashed label, value, cell as read, blank)
_NORMAL: dict[str, _Normal] = {}  # cell text -> its normal forms: template labels and small numbers repeat across
_NORMAL_MAX = 100_000  # every report, so each distinct text is normalised once per process


def _normal(text: str) -> _Normal:
    hit = _NORMAL.get(text)
    if hit is None:
        value = parse_value(text)
        raw = text.strip()
        cell = CellValue(value.number, raw, value.unit) if value is not None else CellValue(None, raw, None)
        hit = (squash(text), value, cell, not raw)
        if len(_NORMAL) < _NORMAL_MAX:
            _NORMAL[text] = hit
    return hit


def _tokens(cells: list[Cell]) -> list[_Tok]:
    """Prepare cells (one normalisation each); free-text lines like "规章 0 0 0" are split into a label and values."""
    out: list[_Tok] = []
    append = out.append
    cache = _NORMAL
    for c in cells:
        text = c.text
        hit = cache.get(text) or _normal(text)
        if c.table is not None:
            append((hit[0], hit[1], c.table, c.row, hit[2], hit[3]))
            continue
        if " " in text.strip():
            m = _SPLIT_TAIL.match(text.strip())
            if m:
                parts = m.group("values").split()
                vals = [(cache.get(p) or _normal(p))[1] for p in parts]
                if all(v is not None for v in vals) and has_cjk(m.group("label")):
                    head = m.group("label")  # a label, also when it reads as a null marker ("一")
                    append((squash(head), None, None, None, CellValue(None, head.strip(), None), not head.strip()))
                    for piece in parts:
                        label, value, cell, blank = _normal(piece)
                        append((label, value, None, None, cell, blank))
                    continue
        if hit[1] is not None and hit[3]:
            continue  # a blank line in free text is not a blank cell
        append((hit[0], hit[1], None, None, hit[2], hit[3]))
    return out


_EXACT: dict[str, str] = {}


def _exact_form(label: str) -> str:
    """The label without enumerators and bracketed notes at its end (cached: labels repeat across reports)."""
    hit = _EXACT.get(label)
    if hit is not None:
        return hit
    out = strip_enum(label)
    while True:
        stripped = _PAREN_TAIL.sub("", out)
        if stripped == out:
            break
        out = stripped
    if len(_EXACT) < _NORMAL_MAX:
        _EXACT[label] = out
    return out


def _same_row(a: _Tok, b: _Tok) -> bool:
    return a[_ROW] is not None and a[_TABLE] == b[_TABLE] and a[_ROW] == b[_ROW]


def _row_end(toks: list[_Tok], i: int) -> int:
    """The index after the last cell of the table row of toks[i] (toks[i] has a row)."""
    tok = toks[i]
    table, row = tok[_TABLE], tok[_ROW]
    j = i + 1
    n = len(toks)
    while j < n:
        t = toks[j]
        if t[_ROW] != row or t[_TABLE] != table:
            break
        j += 1
    return j


def _has_values(toks: list[_Tok], i: int) -> bool:
    """Cheap test: does a value follow the label at toks[i] (in its table row, or the next cell of free text)?"""
    tok = toks[i]
    j = i + 1
    n = len(toks)
    if tok[_ROW] is not None:
        table, row = tok[_TABLE], tok[_ROW]
        while j < n:
            t = toks[j]
            if t[_ROW] != row or t[_TABLE] != table:
                return t[_VALUE] is not None and t[_ROW] is not None
            if t[_VALUE] is not None and not t[_BLANK]:
                return True
            j += 1
        return False
    return j < n and toks[j][_VALUE] is not None


def _trailing_values(toks: list[_Tok], start: int, end: int) -> list[_Tok]:
    """The run of value cells that ends a row (toks[start:end]): a label cell between values cuts the run."""
    k = end
    while k > start and toks[k - 1][_VALUE] is not None:
        k -= 1
    return toks[k:end]


def _row_values(toks: list[_Tok], i: int, n: int) -> tuple[list[_Tok | None] | None, str | None]:
    """The value cells belonging to the label at toks[i]; (None, None) when no values follow."""
    tok = toks[i]
    if tok[_ROW] is not None:
        j = _row_end(toks, i)
        vals = _trailing_values(toks, i + 1, j)  # a label cell between values: only the trailing run counts
        if all(t[_BLANK] for t in vals):
            # values on the next row (some PDF and Word tables break a row in two)
            nxt: list[_Tok] = []
            while j < len(toks) and toks[j][_VALUE] is not None and toks[j][_ROW] is not None:
                if nxt and (toks[j][_ROW] != nxt[0][_ROW]):
                    break
                nxt.append(toks[j])
                j += 1
            if nxt and len(nxt) == n and not all(t[_BLANK] for t in nxt):
                return nxt, None
            return None, None
        if len(vals) == n:
            return vals, None
        # strip empty cells padding either side (spanned label columns, fillers)
        while len(vals) > n and vals[-1][_BLANK]:
            vals.pop()
        while len(vals) > n and vals[0][_BLANK]:
            vals.pop(0)
        if len(vals) == n:
            return vals, None
        if len(vals) > n:
            return vals[:n], f"{len(vals)} values where {n} expected"
        return vals + [None] * (n - len(vals)), f"{len(vals)} values where {n} expected"  # type: ignore[operator]
    vals = []
    j = i + 1
    while j < len(toks) and len(vals) < n and toks[j][_VALUE] is not None:
        vals.append(toks[j])
        j += 1
    if not vals:
        return None, None
    if len(vals) < n:
        return [None] * n, f"{len(vals)} values where {n} expected; row not read"
    return vals, None  # type: ignore[return-value]


def _count_values(toks: list[_Tok], i: int) -> int:
    """How many values the row of the label at toks[i] prints (blank padding at the edges not counted)."""
    tok = toks[i]
    if tok[_ROW] is not None:
        run = _trailing_values(toks, i + 1, _row_end(toks, i))
    else:
        run = []
        j = i + 1
        while j < len(toks) and toks[j][_VALUE] is not None:
            run.append(toks[j])
            j += 1
    a, b = 0, len(run)
    while b > a and run[b - 1][_BLANK]:
        b -= 1
    while a < b and run[a][_BLANK]:
        a += 1
    return b - a


def _fit(run: list[_Tok], n: int) -> list[_Tok] | None:
    """Trim blank cells at the edges of a run (label columns, fillers) down to n cells."""
    while len(run) > n and run[0][_BLANK]:
        run = run[1:]
    while len(run) > n and run[-1][_BLANK]:
        run = run[:-1]
    if len(run) == n and not all(t[_BLANK] for t in run):
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
        if toks[i][_VALUE] is None:
            i += 1
            continue
        j = i
        while j < len(toks) and toks[j][_VALUE] is not None:
            j += 1
        run = toks[i:j]
        if run[0][_ROW] is not None:
            by_row: dict[tuple, list[_Tok]] = {}
            for t in run:
                by_row.setdefault((t[_TABLE], t[_ROW]), []).append(t)
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


_COLUMN_HITS: dict[str, tuple[tuple[int, str], ...]] = {}


def _column_words(label: str) -> tuple[tuple[int, str], ...]:
    """(position, column) of every column word in a header label (cached: headers repeat across reports)."""
    hit = _COLUMN_HITS.get(label)
    if hit is None:
        out = []
        s = label.replace("法人或其他组织", "\0" * 7)
        for word, col in COLUMN_WORDS:
            k = s.find(word)
            while k >= 0:
                out.append((k, col))
                s = s[:k] + "\0" * len(word) + s[k + len(word):]
                k = s.find(word)
        hit = tuple(out)
        if len(_COLUMN_HITS) < _NORMAL_MAX:
            _COLUMN_HITS[label] = hit
    return hit


def _header_columns(toks: list[_Tok], start: int) -> tuple[str, ...]:
    """The applications-table columns named by the header cells before its first row, in print order.

    Walks back from the first row over label cells (at most 40, stopping at narrative or another table's
    values) and reads 自然人 / 商业企业 / … / 总计 in them ("法人或其他组织" is the group, not the 其他 column).
    """
    found: list[tuple[int, int, str]] = []
    j = start - 1
    seen = 0
    while j >= 0 and seen < 40:
        t = toks[j]
        if t[_VALUE] is not None and not t[_BLANK]:
            break
        if len(t[_LABEL]) > MAX_LABEL_LEN:
            break
        found.extend((j, k, col) for k, col in _column_words(t[_LABEL]))
        j -= 1
        seen += 1
    found.sort()
    out: list[str] = []
    for _, _, col in found:
        if col not in out:
            out.append(col)
    return tuple(out)


def walk(cells: list[Cell]) -> Walk:
    """One pass over the cells: labels looked up, context followed, for both template versions."""
    toks = _tokens(cells)
    index = label_index()
    w = Walk(toks, [])
    context: set[str] = set()
    n_toks = len(toks)
    exact_cache = _EXACT
    lookup = index.lookup_free
    for i, tok in enumerate(toks):
        if tok[_VALUE] is not None:
            continue
        label = tok[_LABEL]
        if not label or len(label) > MAX_LABEL_LEN:
            continue
        exact = exact_cache.get(label) or _exact_form(label)
        if "apply" in context and w.review_anchor is None and exact in _REVIEW_ANCHOR and "results" in context:
            w.review_anchor = i
            context.add("review")
        if "其他处理" in label and "apply" in context:
            context.add("other")
        cands, free = lookup(label, exact)
        usable = cands if free else tuple(c for c in cands if c.context is None or c.context in context)
        if not usable:
            nxt = toks[i + 1] if i + 1 < n_toks else None
            if nxt is None or (tok[_ROW] is None and nxt[_VALUE] is None):
                continue  # free text not followed by a value: narrative, headings
            if has_cjk(label) and _has_values(toks, i):
                w.hits.append(_Hit(i, (), enumerator_before(label), _unknown_labels(toks, i)))
            continue
        best = usable[0]
        inner = False
        if tok[_ROW] is not None:
            inner_ctx = context | _INNER_CONTEXT
            for j in range(i + 1, _row_end(toks, i)):
                t = toks[j]
                if t[_VALUE] is None and t[_LABEL] and len(t[_LABEL]) <= MAX_LABEL_LEN and any(
                        c.context is None or c.context in inner_ctx for c in index.lookup(t[_LABEL], _exact_form(t[_LABEL]))):
                    inner = True
                    break
        w.hits.append(_Hit(i, usable, _LAZY, inner=inner))
        if best.prefix.startswith("apply.") and not inner and (
                w.review_anchor is None or best.prefix == "apply.carried_forward") and _has_values(toks, i):
            if w.apply_start is None:
                w.apply_start = i
                w.apply_header = _header_columns(toks, i)
            context.add("apply")
            if best.prefix not in ("apply.new", "apply.carried_over"):
                context.add("results")
            if best.prefix == "apply.total":
                context.discard("other")
    if w.review_anchor is None:
        for i, tok in enumerate(toks):
            if tok[_VALUE] is None and _exact_form(tok[_LABEL]) in _REVIEW_ANCHOR:
                w.review_anchor = i
                break
    _merge_unknown_rows(w)
    return w


def _enum(toks: list[_Tok], hit: _Hit) -> int | None:
    """The number printed in front of a recognised label (read once, when a found row needs it)."""
    if hit.enum != _LAZY:
        return hit.enum
    tok = toks[hit.i]
    enum = enumerator_before(tok[_LABEL], hit.cands[0].pos)
    i = hit.i
    if enum is None and i > 0 and _same_row(toks[i - 1], tok) and toks[i - 1][_LABEL] \
            and not strip_enum(toks[i - 1][_LABEL]):
        enum = enumerator_before(toks[i - 1][_LABEL])  # "1." | "属于国家秘密" in two cells
    hit.enum = enum
    return enum


def _unknown_labels(toks: list[_Tok], i: int) -> tuple[str, ...]:
    """An unrecognised label and its joins with the label cells before it (a label split over cells or lines)."""
    tok = toks[i]
    labels = [tok[_LABEL]]
    joined = tok[_LABEL]
    j = i - 1
    for _ in range(3):
        if j < 0:
            break
        prev = toks[j]
        if prev[_VALUE] is not None or not prev[_LABEL] or len(prev[_LABEL]) > MAX_LABEL_LEN:
            break
        if tok[_ROW] is not None and not _same_row(prev, tok):
            break
        if tok[_ROW] is None and prev[_ROW] is not None:
            break
        joined = prev[_LABEL] + joined
        labels.append(joined)
        if tok[_ROW] is None:
            break  # free text: one line before at most
        j -= 1
    return tuple(labels)


def _merge_unknown_rows(w: Walk) -> None:
    """Drop unknown labels that share a table row with a recognised one, and keep one unknown per table row."""
    strong_rows = {(w.toks[h.i][_TABLE], w.toks[h.i][_ROW]) for h in w.hits if h.cands and w.toks[h.i][_ROW] is not None}
    kept: list[_Hit] = []
    last_unknown_row: dict[tuple, int] = {}
    for h in w.hits:
        tok = w.toks[h.i]
        if not h.cands and tok[_ROW] is not None:
            key = (tok[_TABLE], tok[_ROW])
            if key in strong_rows:
                continue
            if key in last_unknown_row:
                kept[last_unknown_row[key]] = h  # the label cell nearest the values speaks for the row
                continue
            last_unknown_row[key] = len(kept)
        kept.append(h)
    w.hits = kept


# --- reading one template version -----------------------------------------------------------------------------

def _set(result: TableResult, key: str, t: _Tok | None) -> None:
    result.values[key] = _NO_CELL if t is None else t[_CELL]


def _apply_columns(w: Walk, hits: list[_Hit], smap: dict[str, RowSpec]) -> tuple[tuple[str, ...], list[str], bool]:
    """(columns to read, in print order; columns missing; whether the header explains the layout).

    The usual table prints seven values per row.  A report that drops a column prints fewer, and its header says
    which are left; when the header does not (cut, unreadable), the first value is 自然人 and the last 总计 and the
    others are not assigned.
    """
    counts = Counter()
    for h in hits:
        if h.cands and h.cands[0].prefix.startswith("apply.") and not h.inner:
            k = _count_values(w.toks, h.i)
            if k:
                counts[k] += 1
            if sum(counts.values()) >= 8:
                break
    if not counts:
        return APPLY_COLS, [], True
    k = counts.most_common(1)[0][0]
    if k >= len(APPLY_COLS):
        return APPLY_COLS, [], True
    header = w.apply_header  # in reading order: 总计 often comes before the organisations' sub-header row
    if len(header) == k:
        cols = tuple(c for c in APPLY_COLS if c in header)
        return cols, [c for c in APPLY_COLS if c not in header], True
    return tuple(["person"] + ["?"] * max(0, k - 2) + ["total"])[:k], [c for c in APPLY_COLS[1:-1]], False


@lru_cache(maxsize=None)
def _sequence(template: str) -> tuple[list[RowSpec], dict[str, int]]:
    """The rows of the active and applications tables in template order, and each prefix's place in it."""
    seq = [s for s in row_specs(template) if s.table != "review"]
    return seq, {s.prefix: g for g, s in enumerate(seq)}


@lru_cache(maxsize=4096)
def _row_keys(prefix: str, cols: tuple[str, ...]) -> tuple[str | None, ...]:
    """The cell keys of a row read in these columns (None for a column not assigned, "?")."""
    return tuple(None if col == "?" else f"{prefix}.{col}" for col in cols)


@lru_cache(maxsize=None)
def _table_specs(template: str, table: str) -> list[RowSpec]:
    return [s for s in row_specs(template) if s.table == table]


def assign(w: Walk, template: str) -> TableResult:
    """The cells of one template version from a walk."""
    toks = w.toks
    smap = spec_map(template)
    members = group_members(template)
    result = TableResult(template=template)
    by_prefix: dict[str, _Hit] = {}
    seq, order = _sequence(template)
    apply_cols, cols_missing, header_ok = _apply_columns(w, w.hits, smap)
    result.columns_missing = [f"apply.{c}" for c in cols_missing]

    def read_row(spec: RowSpec, hit: _Hit, how: str) -> bool:
        cols = apply_cols if spec.table == "apply" else spec.cols
        vals, problem = _row_values(toks, hit.i, len(cols))
        if vals is None:
            return False
        if problem:
            result.row_problems.append(f"{spec.prefix}: {problem}")
        values = result.values
        for key, t in zip(_row_keys(spec.prefix, cols), vals):
            if key is not None:  # a column not assigned ("?") stays unread
                values[key] = _NO_CELL if t is None else t[_CELL]
        by_prefix[spec.prefix] = hit
        result.found[spec.prefix] = how
        result.rows_found[spec.table] += 1
        if spec.prefix == "apply.other":
            result.other_single_row = True
        return True

    entries: list[tuple[int, str | None, _Hit]] = []  # (token index, prefix found or None, hit) in reading order
    review_by_row = False
    for hit in w.hits:
        if not hit.cands:
            if w.review_anchor is None or hit.i < w.review_anchor:
                entries.append((hit.i, None, hit))
            continue
        spec = next((smap[c.prefix] for c in hit.cands if c.prefix in smap), None)
        if spec is None or spec.prefix in by_prefix or hit.inner:
            continue  # first printing wins (pages that repeat a table); a group label gives way to its sub-row
        if spec.table == "apply" and w.review_anchor is not None and hit.i > w.review_anchor \
                and spec.prefix != "apply.carried_forward":
            continue  # review headers ("总计") after the applications table
        if read_row(spec, hit, "label"):
            if spec.table == "review":
                review_by_row = True
            else:
                entries.append((hit.i, spec.prefix, hit))
    _fill_gaps(entries, seq, order, by_prefix, read_row, template)
    if not review_by_row and w.review_anchor is not None:
        run = _review_run(toks, w.review_anchor)
        if run:
            keys = [f"review.{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLS]
            for key, t in zip(keys, run):
                _set(result, key, t)
            result.rows_found["review"] = 1
            for g in REVIEW_GROUPS:
                result.found[f"review.{g}"] = "label"
    _find_crossed(toks, by_prefix, smap, members, result)
    _completeness(result, template, review_by_row)
    if not header_ok and result.rows_found["apply"]:
        result.columns_missing = ["apply.?"]
    if not result.rows_found["apply"]:
        result.columns_missing = []
    return result


def _applicable(prefix: str, by_prefix: dict[str, _Hit]) -> bool:
    """2021 prints （六） as one row or as three sub-rows, never both."""
    if prefix == "apply.other":
        return not any(p.startswith("apply.other.") for p in by_prefix)
    if prefix.startswith("apply.other."):
        return "apply.other" not in by_prefix
    return True


def _fill_gaps(entries, seq: list[RowSpec], order: dict[str, int], by_prefix: dict[str, _Hit], read_row,
               template: str) -> None:
    """Unrecognised labels land on the rows missing between the rows found around them (template order)."""
    if not any(p is None for _, p, _ in entries):
        return
    entries.sort(key=lambda e: e[0])
    i = 0
    while i < len(entries):
        if entries[i][1] is not None:
            i += 1
            continue
        j = i
        while j < len(entries) and entries[j][1] is None:
            j += 1
        run = [e[2] for e in entries[i:j]]
        lo = order[entries[i - 1][1]] if i > 0 else -1
        hi = order[entries[j][1]] if j < len(entries) else len(seq)
        if lo > hi:
            lo, hi = hi, lo
        cands = [s for s in seq[lo + 1:hi] if s.prefix not in by_prefix and _applicable(s.prefix, by_prefix)]
        if cands:
            for hit, spec in _align(run, cands):
                if spec.prefix not in by_prefix and _applicable(spec.prefix, by_prefix):
                    read_row(spec, hit, "similar")
        i = j


_LIKENESS: dict[tuple[tuple[str, ...], str], float] = {}  # (printed label forms, official label) -> best likeness


def _likeness(labels: tuple[str, ...], target: str) -> float:
    key = (labels, target)
    best = _LIKENESS.get(key)
    if best is None:
        best = 0.0
        for label in labels:
            for form in label_forms(label):
                s = similarity(form, target)
                if s > best:
                    best = s
        if len(_LIKENESS) < _NORMAL_MAX:
            _LIKENESS[key] = best
    return best


def _score(hit: _Hit, spec: RowSpec) -> float:
    best = _likeness(hit.labels, spec.label)
    if hit.enum is not None and spec.number is not None and hit.enum == spec.number:
        best += 0.1  # the printed number agrees with the row's place in its group
    return best


def _align(run: list[_Hit], cands: list[RowSpec]) -> list[tuple[_Hit, RowSpec]]:
    """Monotone alignment of unrecognised rows with the missing rows between their neighbours (best total likeness,
    each pair above the threshold)."""
    th = SIMILAR_ONE if len(run) == 1 and len(cands) == 1 else SIMILAR_MANY
    n, m = len(run), len(cands)
    score = [[_score(h, s) for s in cands] for h in run]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    take = [[0] * (m + 1) for _ in range(n + 1)]  # 1: pair, 2: skip row, 3: skip spec
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            opts = [(best[a + 1][b], 2), (best[a][b + 1], 3)]
            if score[a][b] >= th:
                opts.append((best[a + 1][b + 1] + score[a][b], 1))
            best[a][b], take[a][b] = max(opts)
        best[a][m], take[a][m] = 0.0, 2
    out = []
    a = b = 0
    while a < n and b < m:
        t = take[a][b]
        if t == 1:
            out.append((run[a], cands[b]))
            a, b = a + 1, b + 1
        elif t == 2:
            a += 1
        else:
            b += 1
    return out


def _find_crossed(toks: list[_Tok], by_prefix: dict[str, _Hit], smap: dict[str, RowSpec], members: dict,
                  result: TableResult) -> None:
    """Two rows whose printed numbers and texts cross: each prints the number of the other's place."""
    seen: set[str] = set()
    for prefix, hit in by_prefix.items():
        spec = smap[prefix]
        if spec.number is None or prefix in seen:
            continue
        enum = _enum(toks, hit) if hit.cands else hit.enum
        if enum is None or enum == spec.number:
            continue
        other = members.get((spec.table, spec.group, enum))
        if other is None or other not in by_prefix:
            continue
        o_hit = by_prefix[other]
        o_enum = _enum(toks, o_hit) if o_hit.cands else o_hit.enum
        if o_enum == spec.number:
            seen.update((prefix, other))
            result.ambiguous.append(f"{prefix} <> {other}: numbers and texts cross")


def _completeness(result: TableResult, template: str, review_by_row: bool) -> None:
    found = result.found
    for table in ("active", "apply"):
        specs = _table_specs(template, table)
        if not any(s.prefix in found for s in specs):
            result.tables_missing.append(table)
            continue
        for s in specs:
            if s.prefix in found:
                continue
            if template == "2021" and s.prefix.startswith("apply.other"):
                if s.prefix == "apply.other" or "apply.other" in found:
                    continue  # （六） printed as sub-rows (the single row is not expected) or as one row
            result.rows_missing.append(s.prefix)
    review = [f"review.{g}" for g in REVIEW_GROUPS]
    if not any(p in found for p in review):
        result.tables_missing.append("review")
    elif review_by_row:
        result.rows_missing += [p for p in review if p not in found]


def parse_tables(cells: list[Cell], template: str) -> TableResult:
    """Walk the cells and read one template version (the pipeline walks once and reads what it needs)."""
    return assign(walk(cells), template)
