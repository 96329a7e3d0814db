"""The three tables as HTML: rows, cells, spans and headings, as real reports lay them out."""
from __future__ import annotations

import html as _html

from .template import ACTIVE, APPLY_COLS, L_APPLY_NOTE, L_CARRIED_FORWARD, L_CARRIED_OVER, L_DENIED, L_GRANTED, L_NEW, L_OTHER, L_PARTIAL, L_REJECTED, L_RESULTS, L_TOTAL, L_UNABLE, REVIEW_COLS, REVIEW_GROUPS, _DENIED, _OTHER_SUB, _REJECTED, _UNABLE
from .variants import _Fmt, _Opts


class _Cell:
    __slots__ = ("text", "rs", "cs", "kind", "raw")

    def __init__(self, text: str = "", rs: int = 1, cs: int = 1, kind: str = "label", raw: bool = False):
        self.text, self.rs, self.cs, self.kind, self.raw = text, rs, cs, kind, raw


def _width(rows: list[list[_Cell]]) -> tuple[int, list[list[int]]]:
    occ: set[tuple[int, int]] = set()
    pos: list[list[int]] = []
    for r, row in enumerate(rows):
        c = 0
        rp = []
        for cell in row:
            while (r, c) in occ:
                c += 1
            rp.append(c)
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occ.add((r + dr, c + dc))
            c += cell.cs
        pos.append(rp)
    return (max(c for _, c in occ) + 1 if occ else 0), pos


def _widen(rows: list[list[_Cell]], width: int, spans: bool) -> list[list[_Cell]]:
    w, pos = _width(rows)
    if w >= width:
        return rows
    if spans:
        for row, rp in zip(rows, pos):
            for cell, c in zip(row, rp):
                if c + cell.cs == w:
                    cell.cs += width - w
    else:
        for row in rows:
            row.extend(_Cell("", kind="pad") for _ in range(width - w))
    return rows


def _values(fmt: _Fmt, keys: list[str]) -> list[_Cell]:
    out = []
    for k in keys:
        text, raw = fmt.value(k)
        out.append(_Cell(text, kind="value", raw=raw))
    return out


def _active_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[list[_Cell]]]:
    """One row list per article item (merged later when the active table is one table)."""
    out = []
    for sec, title, cols, col_labels, rows in ACTIVE[truth["template"]]:
        t: list[list[_Cell]] = []
        n = len(cols)
        if o.spans and o.active_merged:
            t.append([_Cell(o.label(title), cs=4, kind="title")])
            hdr = [_Cell(o.head("信息内容"), kind="head")]
            for i, lab in enumerate(col_labels):
                hdr.append(_Cell(o.head(lab), kind="head", cs=(4 - n) if (i == n - 1 and n < 3) else 1))
            if n == 1:
                hdr[-1].cs = 3
            t.append(hdr)
            for rk, rl in rows:
                vals = _values(fmt, [f"active.{sec}.{rk}.{c}" for c in cols])
                if n == 1:
                    vals[-1].cs = 3
                elif n == 2:
                    vals[-1].cs = 2
                t.append([_Cell(o.label(rl))] + vals)
        else:
            t.append([_Cell(o.label(title), kind="title")] + ([_Cell(o.head(""), kind="pad") for _ in cols]
                                                              if not o.spans else []))
            if o.spans:
                t[-1][0].cs = n + 1
            t.append([_Cell(o.head("信息内容"), kind="head")] + [_Cell(o.head(lab), kind="head") for lab in col_labels])
            for rk, rl in rows:
                t.append([_Cell(o.label(rl))] + _values(fmt, [f"active.{sec}.{rk}.{c}" for c in cols]))
        out.append(t)
    return out


def _apply_spec(truth: dict) -> list[tuple[str, str, str | None, int]]:
    """(group, label, row key or None, group size) in printed order. group: top|results|denied|unable|rejected|other."""
    template = truth["template"]
    cells = truth["cells"]
    single = template == "2019" or any(cells.get(f"apply.other.{c}") is not None for c in APPLY_COLS)
    spec: list[tuple[str, str, str | None, int]] = [("top", L_NEW, "new", 1), ("top", L_CARRIED_OVER, "carried_over", 1)]
    spec.append(("results", L_GRANTED, "granted", 1))
    spec.append(("results", L_PARTIAL, "partial", 1))
    for grp, lab, items in (("denied", L_DENIED, _DENIED), ("unable", L_UNABLE, _UNABLE),
                            ("rejected", L_REJECTED, _REJECTED)):
        spec.append((grp, lab, None, len(items)))
        spec += [(grp, il, f"{grp}.{ik}", len(items)) for ik, il in items]
    if single:
        spec.append(("results", L_OTHER, "other", 1))
    else:
        spec.append(("other", L_OTHER, None, 3))
        spec += [("other", il, f"other.{ik}", 3) for ik, il in _OTHER_SUB]
    spec.append(("results", L_TOTAL, "total", 1))
    spec.append(("top", L_CARRIED_FORWARD, "carried_forward", 1))
    return spec


def _apply_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[_Cell]]:
    spec = _apply_spec(truth)
    rows: list[list[_Cell]] = []
    H = lambda s, **kw: _Cell(o.head(s), kind="head", **kw)  # noqa: E731
    L = lambda s, **kw: _Cell(o.label(s), **kw)  # noqa: E731
    E = lambda: _Cell("", kind="pad")  # noqa: E731
    org_heads = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    vals = lambda r: _values(fmt, [f"apply.{r}.{c}" for c in APPLY_COLS])  # noqa: E731
    n_results = sum(1 for g, _, k, _ in spec if g != "top" and k is not None)
    if o.spans:
        rows.append([L(L_APPLY_NOTE, rs=3, cs=3), H("申请人情况", cs=7)])
        rows.append([H("自然人", rs=2), H("法人或其他组织", cs=5), H("总计", rs=2)])
        rows.append([H(h) for h in org_heads])
        first_result = True
        pending_group: str | None = None
        for grp, lab, key, size in spec:
            if grp == "top":
                rows.append([L(lab, cs=3)] + vals(key))
                continue
            prefix = []
            if first_result:
                prefix = [L(L_RESULTS, rs=n_results)]
                first_result = False
            if key is None:  # group label: spans its items
                pending_group = lab
                continue
            if grp == "results":
                rows.append(prefix + [L(lab, cs=2)] + vals(key))
            else:
                if pending_group:
                    prefix = prefix + [L(pending_group, rs=size)]
                    pending_group = None
                rows.append(prefix + [L(lab)] + vals(key))
    elif not o.flat1:  # the official grid with its merges undone: 3 label columns, empty cells
        rows.append([L(L_APPLY_NOTE), E(), E(), H("申请人情况")] + [E() for _ in range(6)])
        rows.append([E(), E(), E(), H("自然人"), H("法人或其他组织"), E(), E(), E(), E(), H("总计")])
        rows.append([E(), E(), E(), E()] + [H(h) for h in org_heads] + [E()])
        first_result = True
        pending_group = None
        for grp, lab, key, size in spec:
            if grp == "top":
                rows.append([L(lab), E(), E()] + vals(key))
                continue
            c0 = L(L_RESULTS) if first_result else E()
            if key is None:
                pending_group = lab
                continue
            first_result = False
            if grp == "results":
                rows.append([c0, L(lab), E()] + vals(key))
            else:
                c1 = L(pending_group) if pending_group else E()
                pending_group = None
                rows.append([c0, c1, L(lab)] + vals(key))
    else:  # flattened: one label column, label-only rows keep empty value cells
        rows.append([H("申请人情况"), H("自然人"), H("法人或其他组织"), E(), E(), E(), E(), H("总计")])
        rows.append([E(), E()] + [H(h) for h in org_heads] + [E()])
        first_result = True
        for grp, lab, key, size in spec:
            if grp != "top" and first_result:
                rows.append([L(L_RESULTS)] + [E() for _ in range(7)])
                first_result = False
            if key is None:
                rows.append([L(lab)] + [E() for _ in range(7)])
            else:
                rows.append([L(lab)] + vals(key))
    return rows


def _review_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[_Cell]]:
    H = lambda s, **kw: _Cell(o.head(s), kind="head", **kw)  # noqa: E731
    E = lambda: _Cell("", kind="pad")  # noqa: E731
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    vals = _values(fmt, [f"review.{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLS])
    if o.spans:
        return [
            [H("行政复议", cs=5), H("行政诉讼", cs=10)],
            [H(h, rs=2) for h in heads] + [H("未经复议直接起诉", cs=5), H("复议后起诉", cs=5)],
            [H(h) for h in heads] + [H(h) for h in heads],
            vals,
        ]
    return [
        [H("行政复议")] + [E() for _ in range(4)] + [H("行政诉讼")] + [E() for _ in range(9)],
        [H(h) for h in heads] + [H("未经复议直接起诉")] + [E() for _ in range(4)] + [H("复议后起诉")]
        + [E() for _ in range(4)],
        [E() for _ in range(5)] + [H(h) for h in heads] + [H(h) for h in heads],
        vals,
    ]


def _cell_html(cell: _Cell, o: _Opts) -> str:
    attrs = ""
    if cell.rs > 1:
        attrs += f' rowspan="{cell.rs}"'
    if cell.cs > 1:
        attrs += f' colspan="{cell.cs}"'
    if cell.raw:
        inner = cell.text
    else:
        inner = _html.escape(cell.text, quote=False).replace("\n", o.br_tag)
    if o.style == "bare":
        attrs += " valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    elif cell.kind == "value":
        attrs += ' align="center"'
    if o.nested:
        align = "left" if cell.kind == "label" else "center"
        cls = ' class="MsoNormal"' if o.style == "bare" else ""
        span_style = "font-size:10.5pt;font-family:宋体" if cell.kind != "value" else "font-size:10.5pt;font-family:'Times New Roman'"
        if inner == "" and o.style == "bare":
            inner = "&nbsp;"  # Word keeps a non-breaking space in an empty cell paragraph
        inner = f'<p{cls} style="text-align:{align};line-height:150%"><span style="{span_style}">{inner}</span></p>'
    tag = "th" if (o.th and cell.kind in ("head", "title")) else "td"
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _table_html(rows: list[list[_Cell]], o: _Opts, cls: str = "") -> str:
    if o.style == "bare":
        open_tag = "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>"
    elif o.style == "hanweb":
        open_tag = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'
    else:
        c = f' class="{cls}"' if cls else ""
        open_tag = f'<table{c} border="1" cellspacing="0" cellpadding="4" width="100%" style="border-collapse:collapse">'
    body = "\n".join("<tr>" + "".join(_cell_html(c, o) for c in row) + "</tr>" for row in rows)
    return f"{open_tag}\n<tbody>\n{body}\n</tbody>\n</table>"


def _heading_row(text: str, width: int, o: _Opts) -> list[_Cell]:
    if o.spans:
        return [_Cell(text, cs=width, kind="title")]
    return [_Cell(text, kind="title")] + [_Cell("", kind="pad") for _ in range(width - 1)]
