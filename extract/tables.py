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


@dataclass(slots=True)
class CellValue:
    value: int | float | None
    raw: str
    unit: str | None


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


@dataclass(slots=True)
class _Tok:
    text: str
    label: str  # squashed text
    value: Value | None
    table: int | None
    row: int | None


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


_NORMAL: dict[str, tuple[str, Value | None]] = {}  # cell text -> (squashed label, value): template labels and small
_NORMAL_MAX = 100_000  # numbers repeat across every report, so each distinct text is normalised once per process


def _normal(text: str) -> tuple[str, Value | None]:
    hit = _NORMAL.get(text)
    if hit is None:
        hit = (squash(text), parse_value(text))
        if len(_NORMAL) < _NORMAL_MAX:
            _NORMAL[text] = hit
    return hit


def _tokens(cells: list[Cell]) -> list[_Tok]:
    """Prepare cells (one normalisation each); free-text lines like "规章 0 0 0" are split into a label and values."""
    out: list[_Tok] = []
    append = out.append
    for c in cells:
        text = c.text
        if c.table is not None:
            label, value = _normal(text)
            append(_Tok(text, label, value, c.table, c.row))
            continue
        if " " in text.strip():
            m = _SPLIT_TAIL.match(text.strip())
            if m:
                parts = m.group("values").split()
                vals = [parse_value(p) for p in parts]
                if all(v is not None for v in vals) and has_cjk(m.group("label")):
                    append(_Tok(m.group("label"), squash(m.group("label")), None, None, None))
                    out.extend(_Tok(p, squash(p), v, None, None) for p, v in zip(parts, vals))
                    continue
        label, value = _normal(text)
        if value is not None and not text.strip():
            continue  # a blank line in free text is not a blank cell
        append(_Tok(text, label, value, None, None))
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
    return a.row is not None and a.table == b.table and a.row == b.row


def _has_values(toks: list[_Tok], i: int) -> bool:
    """Cheap test: does a value follow the label at toks[i] (in its table row, or the next cell of free text)?"""
    tok = toks[i]
    j = i + 1
    if tok.row is not None:
        while j < len(toks) and _same_row(toks[j], tok):
            if toks[j].value is not None and toks[j].text.strip():
                return True
            j += 1
        return j < len(toks) and toks[j].value is not None and toks[j].row is not None
    return j < len(toks) and toks[j].value is not None


def _row_values(toks: list[_Tok], i: int, n: int) -> tuple[list[_Tok | None] | None, str | None]:
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
            nxt: list[_Tok] = []
            while j < len(toks) and toks[j].value is not None and toks[j].row is not None:
                if nxt and (toks[j].row != nxt[0].row):
                    break
                nxt.append(toks[j])
                j += 1
            if nxt and len(nxt) == n and any(t.text.strip() for t in nxt):
                return list(nxt), None
            return None, None
        if len(vals) == n:
            return list(vals), None
        # strip empty cells padding either side (spanned label columns, fillers)
        while len(vals) > n and not vals[-1].text.strip():
            vals.pop()
        while len(vals) > n and not vals[0].text.strip():
            vals.pop(0)
        if len(vals) == n:
            return list(vals), None
        if len(vals) > n:
            return list(vals[:n]), f"{len(vals)} values where {n} expected"
        return list(vals) + [None] * (n - len(vals)), f"{len(vals)} values where {n} expected"
    vals = []
    j = i + 1
    while j < len(toks) and len(vals) < n and toks[j].value is not None:
        vals.append(toks[j])
        j += 1
    if not vals:
        return None, None
    if len(vals) < n:
        return [None] * n, f"{len(vals)} values where {n} expected; row not read"
    return list(vals), None


def _count_values(toks: list[_Tok], i: int) -> int:
    """How many values the row of the label at toks[i] prints (blank padding at the edges not counted)."""
    tok = toks[i]
    j = i + 1
    run: list[_Tok] = []
    if tok.row is not None:
        while j < len(toks) and _same_row(toks[j], tok):
            run = run + [toks[j]] if toks[j].value is not None else []
            j += 1
    else:
        while j < len(toks) and toks[j].value is not None:
            run.append(toks[j])
            j += 1
    while run and not run[-1].text.strip():
        run.pop()
    while run and not run[0].text.strip():
        run.pop(0)
    return len(run)


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
        if t.value is not None and t.text.strip():
            break
        if len(t.label) > MAX_LABEL_LEN:
            break
        s = t.label.replace("法人或其他组织", "\0" * 7)
        for word, col in COLUMN_WORDS:
            k = s.find(word)
            while k >= 0:
                found.append((j, k, col))
                s = s[:k] + "\0" * len(word) + s[k + len(word):]
                k = s.find(word)
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
    for i, tok in enumerate(toks):
        if tok.value is not None:
            continue
        label = tok.label
        if not label or len(label) > MAX_LABEL_LEN:
            continue
        exact = _exact_form(label)
        if "apply" in context and w.review_anchor is None and exact in _REVIEW_ANCHOR and "results" in context:
            w.review_anchor = i
            context.add("review")
        if "其他处理" in label and "apply" in context:
            context.add("other")
        cands = index.lookup(label, exact)
        usable = tuple(c for c in cands if c.context is None or c.context in context)
        if not usable:
            nxt = toks[i + 1] if i + 1 < n_toks else None
            if nxt is None or (tok.row is None and nxt.value is None):
                continue  # free text not followed by a value: narrative, headings
            if has_cjk(label) and _has_values(toks, i):
                w.hits.append(_Hit(i, (), enumerator_before(label), _unknown_labels(toks, i)))
            continue
        best = usable[0]
        inner = False
        if tok.row is not None:
            j = i + 1
            inner_ctx = context | _INNER_CONTEXT
            while j < n_toks and _same_row(toks[j], tok):
                t = toks[j]
                if t.value is None and t.label and len(t.label) <= MAX_LABEL_LEN and any(
                        c.context is None or c.context in inner_ctx for c in index.lookup(t.label, _exact_form(t.label))):
                    inner = True
                    break
                j += 1
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
            if tok.value is None and _exact_form(tok.label) in _REVIEW_ANCHOR:
                w.review_anchor = i
                break
    _merge_unknown_rows(w)
    return w


def _enum(toks: list[_Tok], hit: _Hit) -> int | None:
    """The number printed in front of a recognised label (read once, when a found row needs it)."""
    if hit.enum != _LAZY:
        return hit.enum
    tok = toks[hit.i]
    enum = enumerator_before(tok.label, hit.cands[0].pos)
    i = hit.i
    if enum is None and i > 0 and _same_row(toks[i - 1], tok) and toks[i - 1].label \
            and not strip_enum(toks[i - 1].label):
        enum = enumerator_before(toks[i - 1].label)  # "1." | "属于国家秘密" in two cells
    hit.enum = enum
    return enum


def _unknown_labels(toks: list[_Tok], i: int) -> tuple[str, ...]:
    """An unrecognised label and its joins with the label cells before it (a label split over cells or lines)."""
    tok = toks[i]
    labels = [tok.label]
    joined = tok.label
    j = i - 1
    for _ in range(3):
        if j < 0:
            break
        prev = toks[j]
        if prev.value is not None or not prev.label or len(prev.label) > MAX_LABEL_LEN:
            break
        if tok.row is not None and not _same_row(prev, tok):
            break
        if tok.row is None and prev.row is not None:
            break
        joined = prev.label + joined
        labels.append(joined)
        if tok.row is None:
            break  # free text: one line before at most
        j -= 1
    return tuple(labels)


def _merge_unknown_rows(w: Walk) -> None:
    """Drop unknown labels that share a table row with a recognised one, and keep one unknown per table row."""
    strong_rows = {(w.toks[h.i].table, w.toks[h.i].row) for h in w.hits if h.cands and w.toks[h.i].row is not None}
    kept: list[_Hit] = []
    last_unknown_row: dict[tuple, int] = {}
    for h in w.hits:
        tok = w.toks[h.i]
        if not h.cands and tok.row is not None:
            key = (tok.table, tok.row)
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
    if t is None:
        result.values[key] = CellValue(None, "", None)
    else:
        result.values[key] = CellValue(t.value.number if t.value else None, t.text.strip(),
                                       t.value.unit if t.value else None)


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


def assign(w: Walk, template: str) -> TableResult:
    """The cells of one template version from a walk."""
    toks = w.toks
    smap = spec_map(template)
    members = group_members(template)
    result = TableResult(template=template)
    by_prefix: dict[str, _Hit] = {}
    order: dict[str, int] = {}
    seq = [s for s in row_specs(template) if s.table != "review"]
    for g, s in enumerate(seq):
        order[s.prefix] = g
    apply_cols, cols_missing, header_ok = _apply_columns(w, w.hits, smap)
    result.columns_missing = [f"apply.{c}" for c in cols_missing]

    def read_row(spec: RowSpec, hit: _Hit, how: str) -> bool:
        cols = apply_cols if spec.table == "apply" else spec.cols
        vals, problem = _row_values(toks, hit.i, len(cols))
        if vals is None:
            return False
        if problem:
            result.row_problems.append(f"{spec.prefix}: {problem}")
        for col, t in zip(cols, vals):
            if col != "?":
                _set(result, f"{spec.prefix}.{col}", t)
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


def _score(hit: _Hit, spec: RowSpec) -> float:
    best = 0.0
    target = spec.label
    for label in hit.labels:
        for form in label_forms(label):
            s = similarity(form, target)
            if s > best:
                best = s
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
        specs = [s for s in row_specs(template) if s.table == table]
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
