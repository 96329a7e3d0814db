"""A portal's outcome in one run: its state, the reason a user sees, and whether its reports fell sharply.

A portal that yields nothing is never `ok` (issue 15): no 年报 column found → `no_column`; a column found that
listed no report → `empty_column`. Each state but `ok` carries a one-line reason. A portal whose count of reports
fell sharply since the last run that read its column keeps its state but is flagged in its counts
(`previous_reports`, `reports_drop`), so the run report can show it: a redesign that hides the list, a list API
that changed, or a site that removed its history all look like this.
"""
from __future__ import annotations

DROP_SHARE = 0.5  # flagged when at most this share of the previous count is left …
DROP_MIN_LOST = 2  # … and at least this many reports were lost
# States whose report count is a baseline for the next run (the column was read); others keep the old baseline.
BASELINE_STATES = ("ok", "partial", "empty_column")


def sharp_drop(previous: int | None, now: int) -> bool:
    """True when the count fell from `previous` to `now` by at least half and by at least DROP_MIN_LOST."""
    if not previous:
        return False
    return now <= previous * DROP_SHARE and previous - now >= DROP_MIN_LOST


def portal_state(*, challenged: bool, column_found: bool, home_ok: bool, has_column_urls: bool, home_error: str | None,
                 reports: int, failures: int) -> str:
    """The state of a finished portal (core/records.PORTAL_STATES)."""
    if challenged:
        return "challenged"
    if not column_found:
        if not home_ok and not has_column_urls:
            return "blocked" if home_error and "robots" in home_error else "unreachable"
        return "no_column"
    if reports == 0:
        return "empty_column"
    if failures:
        return "partial"
    return "ok"


def state_reason(state: str, *, column_urls: list[str], errors: list[str], home_error: str | None) -> str | None:
    """The one-line reason of a state (None for ok)."""
    first_error = errors[0] if errors else None
    if state == "ok":
        return None
    if state == "no_column":
        why = "no 年报 column found from the home page (name it with column_url in the sources file)"
        return f"{why}; {first_error}" if first_error else why
    if state == "empty_column":
        where = column_urls[0] if column_urls else "the column"
        why = f"the 年报 column {where} listed no report"
        return f"{why}; {first_error}" if first_error else why
    return home_error or first_error
