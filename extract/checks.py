"""The identities of the format (勾稽关系), checked and reported, never used to change a value.

Real tables break them (seed 003: nothing received, one granted); analysts want to know which,
so every identity is reported per column, row or group with ok true/false, or null when a value
it needs was not printed.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .rows import APPLY_COLS, REVIEW_COLS, REVIEW_GROUPS, TABLES
from .tables import TableResult

RESULT_ROWS_COMMON = (
    "granted", "partial",
    "denied.state_secret", "denied.law_prohibited", "denied.security_stability", "denied.third_party",
    "denied.internal_affairs", "denied.process_info", "denied.enforcement_file", "denied.query_matter",
    "unable.not_held", "unable.needs_creation", "unable.unclear",
    "rejected.petition", "rejected.duplicate", "rejected.publication", "rejected.excessive", "rejected.confirm",
)
OTHER_SUBROWS = ("other.no_correction", "other.no_fee", "other.other")

# 2021 keys that may hold decimals or signed values (identity 5, domain)
NON_COUNT_KEYS = {
    "2021": {"active.art20_8.fees.amount"},
    "2019": {"active.art20_9.procurement.amount"},
}


def _check(rule: str, ok: bool | None, detail: str) -> dict[str, Any]:
    return {"rule": rule, "ok": ok, "detail": detail}


def _sum(values: list[Any]) -> float | None:
    if None in values:  # values are numbers or None
        return None
    return sum(values)


def result_rows(template: str, cells: dict[str, Any]) -> tuple[str, ...]:
    """The result rows that make up （七）总计 in this report."""
    if template == "2019":
        return RESULT_ROWS_COMMON + ("other",)
    single = any(cells.get(f"apply.other.{c}") is not None for c in APPLY_COLS)
    return RESULT_ROWS_COMMON + (("other",) if single else OTHER_SUBROWS)


def _missing(names: list[str], cells: dict[str, Any]) -> str:
    miss = [n for n in names if cells.get(n) is None]
    return "not printed: " + ", ".join(miss[:4]) + (" …" if len(miss) > 4 else "")


_OTHER_SINGLE_KEYS = tuple(f"apply.other.{c}" for c in APPLY_COLS)


@lru_cache(maxsize=8)
def _plan(template: str, single_other: bool) -> tuple:
    """The identities of a template as key lists, built once (a report only looks values up)."""
    rows = RESULT_ROWS_COMMON + (("other",) if template == "2019" or single_other else OTHER_SUBROWS)
    flow = []
    results = []
    for c in APPLY_COLS:
        flow.append((f"apply_flow.{c}", (f"apply.new.{c}", f"apply.carried_over.{c}"),
                     (f"apply.total.{c}", f"apply.carried_forward.{c}")))
        results.append((f"apply_results.{c}", f"apply.total.{c}", tuple(f"apply.{r}.{c}" for r in rows)))
    row_checks = [(f"apply_row.{r}", f"apply.{r}.total", tuple(f"apply.{r}.{c}" for c in APPLY_COLS[:-1]))
                  for r in ("new", "carried_over") + rows + ("total", "carried_forward")]
    review = [(f"review_group.{g}", f"review.{g}.total", tuple(f"review.{g}.{c}" for c in REVIEW_COLS[:-1]))
              for g in REVIEW_GROUPS]
    return tuple(flow), tuple(results), tuple(row_checks), tuple(review)


def check_cells(template: str, cells: dict[str, Any], unprinted: dict[str, list[str]] | None = None,
                ) -> list[dict[str, Any]]:
    """Identities 1-5 of template.md.  `unprinted`, when given, receives for each check that could not be evaluated
    the keys it needed that were not printed."""
    checks: list[dict[str, Any]] = []
    unprinted = {} if unprinted is None else unprinted
    get = cells.get

    def unknown(rule: str, needs: tuple[str, ...]) -> None:
        unprinted[rule] = [k for k in needs if get(k) is None]
        checks.append({"rule": rule, "ok": None, "detail": _missing(list(needs), cells)})

    single = template == "2021" and any(get(k) is not None for k in _OTHER_SINGLE_KEYS)
    flow, results, row_checks, review = _plan(template, single)
    for (f_rule, left_keys, right_keys), (r_rule, total_key, keys) in zip(flow, results):
        # 1. new + carried_over = total + carried_forward
        left, right = _sum(list(map(get, left_keys))), _sum(list(map(get, right_keys)))
        if left is None or right is None:
            unknown(f_rule, left_keys + right_keys)
        else:
            checks.append({"rule": f_rule, "ok": left == right,
                           "detail": f"new + carried_over = {left:g}; total + carried_forward = {right:g}"})
        # 2. total = sum of result rows
        total = get(total_key)
        s = _sum(list(map(get, keys)))
        if total is None or s is None:
            unknown(r_rule, (total_key,) + keys)
        else:
            checks.append({"rule": r_rule, "ok": total == s, "detail": f"total = {total:g}; sum of result rows = {s:g}"})
    # 3. row total = sum of the six applicant columns
    for rule, total_key, keys in row_checks:
        total = get(total_key)
        vals = list(map(get, keys))
        if total is None and all(v is None for v in vals):
            continue  # a row the report does not print (e.g. 2021 （六） sub-rows when printed as one row)
        s = _sum(vals)
        if total is None or s is None:
            unknown(rule, (total_key,) + keys)
        else:
            checks.append({"rule": rule, "ok": total == s, "detail": f"total = {total:g}; sum of applicants = {s:g}"})
    # 4. review group total = upheld + corrected + other + pending
    for rule, total_key, keys in review:
        total = get(total_key)
        s = _sum(list(map(get, keys)))
        if total is None or s is None:
            unknown(rule, (total_key,) + keys)
        else:
            checks.append({"rule": rule, "ok": total == s, "detail": f"total = {total:g}; sum of results = {s:g}"})
    # 5. domain: non-negative integers except money and signed change columns
    bad: dict[str, list[str]] = {"active": [], "apply": [], "review": []}
    money = NON_COUNT_KEYS.get(template, set())
    signed = template == "2019"
    for key, v in cells.items():
        if v is None:
            continue
        if type(v) is int:
            if v >= 0 or (signed and key.endswith(".change")):
                continue
            ok = False
        elif key in money:
            ok = v >= 0
        elif signed and key.endswith(".change"):
            ok = float(v).is_integer()
        else:
            ok = float(v).is_integer() and v >= 0
        if not ok:
            bad[key.split(".", 1)[0]].append(f"{key}={v:g}")
    for table in ("active", "apply", "review"):
        b = bad[table]
        checks.append({"rule": f"domain.{table}", "ok": not b, "detail": "; ".join(b[:5]) or "all values in range"})
    return checks


def check_text(text_total: int | None, cells: dict[str, Any], rule: str, key: str) -> dict[str, Any] | None:
    """Identity 8: a figure stated in the narrative against the table."""
    if text_total is None or cells.get(key) is None:
        return None
    return _check(rule, text_total == cells[key], f"text says {text_total}; table {key} = {cells[key]:g}")


# --- completeness and the verdict --------------------------------------------------------------------------------

def layout_checks(t: TableResult) -> list[dict[str, Any]]:
    """Did the report print every table, row and column of its template version, each row with its values?"""
    printed = [x for x in TABLES if x not in t.tables_missing]
    return [
        _check("layout.table_missing", not t.tables_missing,
               f"not printed: {', '.join(t.tables_missing)}; printed: {', '.join(printed) or 'none'}"
               if t.tables_missing else "all three tables printed"),
        _check("layout.rows_missing", not t.rows_missing,
               "not found: " + ", ".join(t.rows_missing) if t.rows_missing else "every row of the printed tables found"),
        _check("layout.columns_missing", not t.columns_missing,
               "not printed: " + ", ".join(t.columns_missing) if t.columns_missing else "every column found"),
        _check("layout.row_values", not t.row_problems,
               "; ".join(t.row_problems) if t.row_problems else "every row has its number of values"),
        _check("layout.rows_ambiguous", not t.ambiguous,
               "; ".join(t.ambiguous) + " (read in the template's order)" if t.ambiguous
               else "every row's number agrees with its text, or the disagreement is explained"),
    ]


def _layout_keys(t: TableResult, keys: list[str]) -> set[str]:
    """The keys that a layout problem already accounts for (missing tables, rows and columns)."""
    out: set[str] = set()
    if not (t.tables_missing or t.rows_missing or t.columns_missing):
        return out
    missing_cols = {c.split(".", 1)[1] for c in t.columns_missing}
    for k in keys:
        table = k.split(".", 1)[0]
        prefix, col = k.rsplit(".", 1)
        if table in t.tables_missing or prefix in t.rows_missing:
            out.add(k)
        elif table == "apply" and (col in missing_cols or ("?" in missing_cols and col not in ("person", "total"))):
            out.add(k)
    return out


IDENTITY_PREFIXES = ("apply_flow.", "apply_results.", "apply_row.", "review_group.", "domain.")


def verdict(t: TableResult, checks: list[dict[str, Any]], unprinted: dict[str, list[str]],
            keys: list[str]) -> tuple[bool, list[str]]:
    """(verified, unverified_reasons) of an ok report.

    Verified: every table complete, every identity holds, every figure the text states agrees with the table.  A
    check that could not be evaluated because a value it needs was not printed leaves the report unverified too,
    unless a layout reason (a missing table, row or column) already says why.
    """
    reasons = [f"layout.table_missing: {x}" for x in t.tables_missing]
    reasons += [f"layout.rows_missing: {x}" for x in t.rows_missing]
    reasons += [f"layout.columns_missing: {x}" for x in t.columns_missing]
    reasons += [f"layout.row_values: {x.split(':', 1)[0]}" for x in t.row_problems]
    for a in t.ambiguous:
        reasons += [f"layout.rows_ambiguous: {p}" for p in a.split(":", 1)[0].split(" <> ")]
    explained = _layout_keys(t, keys)
    for c in checks:
        rule = c["rule"]
        if rule.startswith(IDENTITY_PREFIXES):
            if c["ok"] is False:
                reasons.append(f"identity: {rule}")
            elif c["ok"] is None:
                missing = [k for k in unprinted.get(rule, []) if k not in explained]
                if missing:
                    reasons.append(f"unchecked: {rule} (not printed: {', '.join(missing[:3])}"
                                   + (" …)" if len(missing) > 3 else ")"))
        elif rule.startswith("text.") and c["ok"] is False:
            reasons.append(f"text: {rule}")
        elif rule == "sheet.formulas" and c["ok"] is False:
            cells = c["detail"].split("not computed: ", 1)[-1]
            reasons += [f"formula: {item.split(' (', 1)[0]} not computed" for item in cells.split("; ")
                        if not item.startswith("…")]
    return not reasons, reasons
