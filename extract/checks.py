"""The identities of the format (勾稽关系), checked and reported, never used to change a value.

Real tables break them (seed 003: nothing received, one granted); analysts want to know which,
so every identity is reported per column, row or group with ok true/false, or null when a value
it needs was not printed.
"""
from __future__ import annotations

from typing import Any

from .rows import APPLY_COLS, REVIEW_COLS, REVIEW_GROUPS

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
    if any(v is None for v in values):
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


def check_cells(template: str, cells: dict[str, Any]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    rows = result_rows(template, cells)
    for c in APPLY_COLS:
        # 1. new + carried_over = total + carried_forward
        left_keys = [f"apply.new.{c}", f"apply.carried_over.{c}"]
        right_keys = [f"apply.total.{c}", f"apply.carried_forward.{c}"]
        left, right = _sum([cells.get(k) for k in left_keys]), _sum([cells.get(k) for k in right_keys])
        if left is None or right is None:
            checks.append(_check(f"apply_flow.{c}", None, _missing(left_keys + right_keys, cells)))
        else:
            checks.append(_check(f"apply_flow.{c}", left == right,
                                 f"new + carried_over = {left:g}; total + carried_forward = {right:g}"))
        # 2. total = sum of result rows
        keys = [f"apply.{r}.{c}" for r in rows]
        total = cells.get(f"apply.total.{c}")
        s = _sum([cells.get(k) for k in keys])
        if total is None or s is None:
            checks.append(_check(f"apply_results.{c}", None, _missing([f"apply.total.{c}"] + keys, cells)))
        else:
            checks.append(_check(f"apply_results.{c}", total == s, f"total = {total:g}; sum of result rows = {s:g}"))
    # 3. row total = sum of the six applicant columns
    all_rows = ("new", "carried_over") + rows + ("total", "carried_forward")
    for r in all_rows:
        keys = [f"apply.{r}.{c}" for c in APPLY_COLS[:-1]]
        total = cells.get(f"apply.{r}.total")
        s = _sum([cells.get(k) for k in keys])
        if total is None and s is None and all(cells.get(k) is None for k in keys):
            continue  # a row the report does not print (e.g. 2021 （六） sub-rows when printed as one row)
        if total is None or s is None:
            checks.append(_check(f"apply_row.{r}", None, _missing([f"apply.{r}.total"] + keys, cells)))
        else:
            checks.append(_check(f"apply_row.{r}", total == s, f"total = {total:g}; sum of applicants = {s:g}"))
    # 4. review group total = upheld + corrected + other + pending
    for g in REVIEW_GROUPS:
        keys = [f"review.{g}.{c}" for c in REVIEW_COLS[:-1]]
        total = cells.get(f"review.{g}.total")
        s = _sum([cells.get(k) for k in keys])
        if total is None or s is None:
            checks.append(_check(f"review_group.{g}", None, _missing([f"review.{g}.total"] + keys, cells)))
        else:
            checks.append(_check(f"review_group.{g}", total == s, f"total = {total:g}; sum of results = {s:g}"))
    # 5. domain: non-negative integers except money and signed change columns
    for table in ("active", "apply", "review"):
        bad = []
        for key, v in cells.items():
            if not key.startswith(table + ".") or v is None:
                continue
            if key in NON_COUNT_KEYS.get(template, set()):
                ok = v >= 0
            elif key.endswith(".change") and template == "2019":
                ok = float(v).is_integer()
            else:
                ok = float(v).is_integer() and v >= 0
            if not ok:
                bad.append(f"{key}={v:g}")
        checks.append(_check(f"domain.{table}", not bad, "; ".join(bad[:5]) or "all values in range"))
    return checks


def check_text(text_total: int | None, cells: dict[str, Any], rule: str, key: str) -> dict[str, Any] | None:
    """Identity 8: a figure stated in the narrative against the table."""
    if text_total is None or cells.get(key) is None:
        return None
    return _check(rule, text_total == cells[key], f"text says {text_total}; table {key} = {cells[key]:g}")
