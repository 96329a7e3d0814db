"""Ruled tables from line segments: the geometry shared by the PDF reader and the OCR reader.

Input: horizontal and vertical segments in a y-down coordinate system (PDF points measured from
the top of the page, or image pixels).  Output: tables, each a list of rows of cell boxes, with
the bookkeeping the readers need to put text into cells (a grid column covered by a cell from the
left is a column span and is skipped; a grid position covered from above is a row span and reads
as an empty cell).

The method is the classic one (as in Tabula and pdfplumber's "lines" strategy), written here so
that no PDF library's interpreter sits on the hot path:
1. snap: segments whose positions differ by less than `snap` are put on one line (double rules,
   a border drawn as a thin rectangle with its two long sides);
2. join: collinear segments that touch or nearly touch become one (a border drawn cell by cell);
3. intersections: where a horizontal and a vertical line cross or meet;
4. cells: for each intersection, the smallest rectangle whose four corners are intersections and
   whose four sides run along lines;
5. tables: cells that share a corner belong to one table.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

# (x0, x1, y) for horizontal segments, (x, y0, y1) for vertical ones
HSeg = tuple[float, float, float]
VSeg = tuple[float, float, float]


@dataclass(slots=True)
class GridCell:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class GridTable:
    """One ruled table: `rows[r][c]` is the cell starting at grid column c of row r, or None."""

    cells: list[GridCell]
    rows: list[list[GridCell | None]] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)  # left edges of the grid columns
    right: float = 0.0  # the right edge of the table

    def __post_init__(self) -> None:
        self.right = max((c.x1 for c in self.cells), default=0.0)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (min(c.x0 for c in self.cells), min(c.top for c in self.cells),
                max(c.x1 for c in self.cells), max(c.bottom for c in self.cells))

    @property
    def ncols(self) -> int:
        return len(self.xs)

    def slots(self, r: int) -> list[tuple[GridCell | None, float, float]]:
        """Row r as reading slots (cell, x0, x1): a cell, or None for a position covered from above
        (a row span), with the slot's horizontal extent.

        Positions covered by a cell from the left (a column span) are left out, so a row holds
        one slot per physical cell plus one empty slot per row-spanned column.
        """
        row = self.rows[r]
        right = self.right
        out: list[tuple[GridCell | None, float, float]] = []
        for j, cell in enumerate(row):
            if cell is not None:
                out.append((cell, cell.x0, cell.x1))
                continue
            x = self.xs[j]
            spanned = any(c is not None and c.x0 < x - 0.5 and c.x1 > x + 1.0 for c in row[:j])
            if not spanned:
                out.append((None, x, self.xs[j + 1] if j + 1 < len(self.xs) else right))
        return out


def _cluster(values: list[float], tol: float) -> dict[float, float]:
    """Map each value to the mean of its chain cluster (neighbours closer than tol)."""
    out: dict[float, float] = {}
    if not values:
        return out
    vs = sorted(set(values))
    group = [vs[0]]
    for v in vs[1:]:
        if v - group[-1] <= tol:
            group.append(v)
        else:
            mean = sum(group) / len(group)
            out.update((g, mean) for g in group)
            group = [v]
    mean = sum(group) / len(group)
    out.update((g, mean) for g in group)
    return out


def _join(segs: list[tuple[float, float, float]], tol: float) -> list[tuple[float, float, float]]:
    """Join collinear segments (pos, a, b) on the same position that overlap or nearly touch."""
    by_pos: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for pos, a, b in segs:
        by_pos[pos].append((a, b))
    out = []
    for pos, spans in by_pos.items():
        spans.sort()
        cur_a, cur_b = spans[0]
        for a, b in spans[1:]:
            if a <= cur_b + tol:
                cur_b = max(cur_b, b)
            else:
                out.append((pos, cur_a, cur_b))
                cur_a, cur_b = a, b
        out.append((pos, cur_a, cur_b))
    return out


def normalise(hsegs: list[HSeg], vsegs: list[VSeg], snap: float = 3.0, join: float = 3.0,
              min_length: float = 3.0) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Snapped and joined lines: horizontal (y, x0, x1) and vertical (x, y0, y1)."""
    hsegs = [s for s in hsegs if s[1] - s[0] >= min_length]
    vsegs = [s for s in vsegs if s[2] - s[1] >= min_length]
    ys = _cluster([s[2] for s in hsegs], snap)
    xs = _cluster([s[0] for s in vsegs], snap)
    h = _join([(ys[y], x0, x1) for x0, x1, y in hsegs], join)
    v = _join([(xs[x], y0, y1) for x, y0, y1 in vsegs], join)
    return h, v


def find_tables(hsegs: list[HSeg], vsegs: list[VSeg], snap: float = 3.0, join: float = 3.0,
                tol: float = 3.0, min_length: float = 3.0, min_cells: int = 2) -> list[GridTable]:
    """Ruled tables, top to bottom.  Tolerances are in the units of the input (points or pixels)."""
    h, v = normalise(hsegs, vsegs, snap, join, min_length)
    if not h or not v:
        return []
    v = v + _open_sides(h, v, snap, tol)
    # intersections: point -> (ids of horizontal lines, ids of vertical lines)
    pts: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    h_sorted = sorted(range(len(h)), key=lambda i: h[i][0])
    for vi, (x, y0, y1) in enumerate(v):
        for hi in h_sorted:
            y, x0, x1 = h[hi]
            if y < y0 - tol:
                continue
            if y > y1 + tol:
                break
            if x0 - tol <= x <= x1 + tol:
                entry = pts.setdefault((x, y), (set(), set()))
                entry[0].add(hi)
                entry[1].add(vi)
    if len(pts) < 4:
        return []
    by_x: dict[float, list[float]] = defaultdict(list)
    by_y: dict[float, list[float]] = defaultdict(list)
    for x, y in pts:
        by_x[x].append(y)
        by_y[y].append(x)
    for lst in by_x.values():
        lst.sort()
    for lst in by_y.values():
        lst.sort()

    def v_connected(p: tuple[float, float], q: tuple[float, float]) -> bool:
        return bool(pts[p][1] & pts[q][1])

    def h_connected(p: tuple[float, float], q: tuple[float, float]) -> bool:
        return bool(pts[p][0] & pts[q][0])

    cells: list[GridCell] = []
    for (x, y) in sorted(pts, key=lambda p: (p[1], p[0])):
        below = [yy for yy in by_x[x] if yy > y]
        right = [xx for xx in by_y[y] if xx > x]
        found = None
        for yb in below:
            if not v_connected((x, y), (x, yb)):
                continue
            for xr in right:
                if not h_connected((x, y), (xr, y)):
                    continue
                corner = (xr, yb)
                if corner in pts and v_connected(corner, (xr, y)) and h_connected(corner, (x, yb)):
                    found = GridCell(x, y, xr, yb)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return _group(cells, min_cells)


def _open_sides(h: list[tuple[float, float, float]], v: list[tuple[float, float, float]], snap: float,
                tol: float) -> list[tuple[float, float, float]]:
    """Virtual outer borders for tables printed without left or right rules ("open" tables).

    A horizontal rule that crosses a vertical rule but whose end touches none has an open end.
    When three or more open ends line up at one x, the table's side is there: a vertical line is
    added from the first to the last of them.  Without it the label column, which has no left
    rule, would have no cells.  Ends that a vertical rule touches are never grouped, so two
    tables one above the other are not tied together.
    """
    def touches(x: float, y: float) -> bool:
        return any(abs(vx - x) <= tol and y0 - tol <= y <= y1 + tol for vx, y0, y1 in v)

    def crosses(y: float, x0: float, x1: float) -> bool:
        return any(x0 + tol < x < x1 - tol and y0 - tol <= y <= y1 + tol for x, y0, y1 in v)

    out: list[tuple[float, float, float]] = []
    for side in (1, 2):  # left ends, right ends
        open_ends = sorted((seg[side], seg[0]) for seg in h
                           if crosses(seg[0], seg[1], seg[2]) and not touches(seg[side], seg[0]))
        group: list[tuple[float, float]] = []
        for end in open_ends + [None]:  # type: ignore[list-item]
            if end is not None and (not group or end[0] - group[-1][0] <= snap):
                group.append(end)
                continue
            if len(group) >= 3:
                x = sum(g[0] for g in group) / len(group)
                out.append((x, min(g[1] for g in group), max(g[1] for g in group)))
            group = [end] if end is not None else []
    return out


def _group(cells: list[GridCell], min_cells: int) -> list[GridTable]:
    """Cells sharing a corner are one table; each table gets its grid rows and columns."""
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    corner_owner: dict[tuple[float, float], int] = {}
    for i, c in enumerate(cells):
        for corner in ((c.x0, c.top), (c.x1, c.top), (c.x0, c.bottom), (c.x1, c.bottom)):
            j = corner_owner.setdefault(corner, i)
            if j != i:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list[GridCell]] = defaultdict(list)
    for i, c in enumerate(cells):
        groups[find(i)].append(c)
    tables = []
    for members in groups.values():
        if len(members) < min_cells:
            continue
        xs = sorted({c.x0 for c in members})
        tops = sorted({c.top for c in members})
        col = {x: j for j, x in enumerate(xs)}
        rows: list[list[GridCell | None]] = []
        by_top: dict[float, list[GridCell]] = defaultdict(list)
        for c in members:
            by_top[c.top].append(c)
        for top in tops:
            row: list[GridCell | None] = [None] * len(xs)
            for c in by_top[top]:
                row[col[c.x0]] = c
            rows.append(row)
        tables.append(GridTable(members, rows, xs))
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables
