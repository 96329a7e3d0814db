"""Truths that chain across years, the way one agency's reports do.

``reports.random_truth`` draws every report on its own. Real reports of one agency follow each other: what a report
carries forward (四、结转下年度继续办理) is what the next year's report carries over (二、上年结转), column by column, and
under the 2021 format 现行有效件数(y) = 现行有效件数(y-1) + 本年制发件数(y) − 本年废止件数(y) for 规章 and 行政规范性文件
(identities 6 and 7 of ``shared/spec/template.md``). Here each HTML report starts from its random draw and is fitted:

- carried_over(y) = carried_forward(y-1) of the same agency's report of the year before on the same site;
- a report followed by an attachment-only report (whose numbers are fixed in the prebuilt files of
  ``files/manifest.json``) carries forward what that report carries over, and its 现行有效件数 is what the
  attachment's stock implies: the chain runs backwards into the fixed report, so the files need no rebuilding and
  their numbers stay independent of the seed;
- 现行有效件数 continues from the year before (2021 format on both sides);
- then 本年新收 = 总计 + 结转下年度 − 上年结转 per column (raising 予以公开 when needed) and the row totals are derived
  again, so identities 1-4 keep holding.

A few agency-years (``BREAKS``, about 7% of those with a report the year before) break the chain on purpose, as
real reports do: one column's 上年结转 does not match, or the 现行有效件数 was recounted. Reports drawn inconsistent
(``plan.consistent`` false) are left exactly as drawn. The page corrected in generation 2 keeps its carried-over,
carried-forward and 现行有效件数 cells, so the reports next to it do not change.

Deterministic for a seed: the fitted truth depends only on the seed and the catalog.
"""

from __future__ import annotations

import copy
import functools
import json

from . import catalog
from .catalog import ReportPlan, rng_for, stable_int
from .reports import APPLICANTS, _result_rows, random_truth

BREAKS = 3  # agency-years that break the chain on purpose (of ~43 with a report the year before)
_ROWS_2021 = ("rules", "normative")


@functools.lru_cache(maxsize=1)
def _series() -> dict[tuple[str, str], dict[int, ReportPlan]]:
    """(site, agency) -> {year: plan}, every generation's plans (a later generation only adds reports)."""
    out: dict[tuple[str, str], dict[int, ReportPlan]] = {}
    for p in catalog.plan_reports(generation=2):
        out.setdefault((p.site_id, p.agency), {})[p.report_year] = p
    return out


@functools.lru_cache(maxsize=1)
def breaks() -> dict[str, str]:
    """plan key -> kind of the deliberate cross-year break (``carried_over`` or ``in_force``)."""
    cands = []
    for years in _series().values():
        for y, p in years.items():
            prev = years.get(y - 1)
            if prev is None or p.attachment_key or not p.consistent or p.generation != 1 or p.changed_in:
                continue
            cands.append((stable_int("xbreak", p.site_id, p.agency, y), p, prev))
    cands.sort(key=lambda c: c[0])
    out: dict[str, str] = {}
    stock = next((p for _, p, prev in cands if p.template == "2021" and prev.template == "2021"), None)
    if stock is not None:
        out[stock.key] = "in_force"
    for _, p, _prev in cands:
        if len(out) >= BREAKS:
            break
        out.setdefault(p.key, "carried_over")
    return out


def _manifest_truth(key: str) -> dict:
    from .sitekit import manifest

    return json.loads(json.dumps(manifest()["attachments"][key]["truth"]))


def _col(cells: dict, row: str) -> dict[str, int]:
    return {c: cells[f"apply.{row}.{c}"] or 0 for c in APPLICANTS}


def _stock(cells: dict) -> dict[str, int]:
    return {r: cells[f"active.art20_1.{r}.in_force"] or 0 for r in _ROWS_2021}


def _stock_before(cells: dict) -> dict[str, int]:
    """现行有效件数 of the year before, as a 2021-format report's own cells imply it."""
    return {r: (cells[f"active.art20_1.{r}.in_force"] or 0) - (cells[f"active.art20_1.{r}.issued"] or 0)
            + (cells[f"active.art20_1.{r}.repealed"] or 0) for r in _ROWS_2021}


def fit(truth: dict, *, carried_over: dict | None = None, carried_forward: dict | None = None,
        stock_before: dict | None = None, stock: dict | None = None) -> None:
    """Set the given chain cells in ``truth`` (in place) and re-derive the others so that identities 1-4 hold.

    ``carried_over`` / ``carried_forward``: applicant column -> value. ``stock_before``: 现行有效件数 of the year
    before (row -> value), ``stock``: this year's 现行有效件数 (2021 format only; 本年制发/废止件数 are adjusted)."""
    cells = truth["cells"]
    template = truth["template"]
    results = _result_rows(template, template == "2019" or bool(truth.get("other_single_row")))
    for c in APPLICANTS:
        if carried_over is not None:
            cells[f"apply.carried_over.{c}"] = carried_over[c]
        if carried_forward is not None:
            cells[f"apply.carried_forward.{c}"] = carried_forward[c]
        co, cf = cells[f"apply.carried_over.{c}"], cells[f"apply.carried_forward.{c}"]
        total = sum(cells[f"apply.{r}.{c}"] for r in results)
        if total + cf - co < 0:  # more carried over than handled or carried on: the rest was granted
            cells[f"apply.granted.{c}"] += co - cf - total
            total = co - cf
        cells[f"apply.total.{c}"] = total
        cells[f"apply.new.{c}"] = total + cf - co
    for r in ["new", "carried_over"] + results + ["total", "carried_forward"]:
        cells[f"apply.{r}.total"] = sum(cells[f"apply.{r}.{c}"] for c in APPLICANTS)
    if template != "2021" or (stock_before is None and stock is None):
        return
    for row in _ROWS_2021:
        k = f"active.art20_1.{row}."
        issued, repealed = cells[k + "issued"], cells[k + "repealed"]
        before = None if stock_before is None else stock_before[row]
        now = None if stock is None else stock[row]
        if before is not None and now is not None:
            d = now - before
            if d >= 0:
                issued = max(issued, d)
                repealed = issued - d
            else:
                repealed = max(repealed, -d)
                issued = repealed + d
        elif before is not None:
            now = before + issued - repealed
            if now < 0:  # cannot repeal more than there was
                repealed, now = before + issued, 0
        else:
            issued = min(issued, now)
        cells[k + "issued"], cells[k + "repealed"], cells[k + "in_force"] = issued, repealed, now


def _break(truth: dict, kind: str, prev: dict, rng) -> str:
    cells = truth["cells"]
    if kind == "in_force":
        row = "normative"
        k = f"active.art20_1.{row}.in_force"
        cells[k] = (cells[k] or 0) + rng.randint(3, 12)  # the stock was recounted, not carried on
        return f"{k} does not continue last year's count"
    prev_cf = _col(prev["cells"], "carried_forward")
    cols = [c for c in APPLICANTS if prev_cf[c] > 0] or ["person"]
    c = rng.choice(cols)
    co = _col(cells, "carried_over")
    co[c] = prev_cf[c] + rng.randint(1, 4)
    fit(truth, carried_over=co)
    return f"apply.carried_over.{c} is not last year's carried_forward.{c}"


@functools.lru_cache(maxsize=4096)
def _truth(seed: int, site_id: str, agency: str, year: int, corrected: bool) -> dict:
    years = _series()[(site_id, agency)]
    plan = years[year]
    if plan.attachment_key:
        return _manifest_truth(plan.attachment_key)
    s = stable_int(seed, plan.key, "corrected") % 10**6 if corrected else stable_int(seed, plan.key) % 10**6
    t = random_truth(plan.template, plan.report_year, plan.agency, s, published=plan.published,
                     zero_share=plan.zero_share, consistent=plan.consistent, other_single_row=plan.other_single_row)
    t["other_single_row"] = plan.other_single_row
    if not plan.consistent:
        return t  # printed as drawn: its identities are broken on purpose
    prev_plan, next_plan = years.get(year - 1), years.get(year + 1)
    prev = _truth(seed, site_id, agency, year - 1, False) if prev_plan is not None else None
    stock_chain = prev is not None and prev["template"] == "2021" and plan.template == "2021"
    notes = []
    if corrected:
        # a page corrected in place: the cells its neighbours chain to stay as first published
        base = _truth(seed, site_id, agency, year, False)["cells"]
        keep_stock = plan.template == "2021"
        fit(t, carried_over=_col(base, "carried_over"), carried_forward=_col(base, "carried_forward"),
            stock_before=_stock(prev["cells"]) if stock_chain and breaks().get(plan.key) != "in_force" else None,
            stock=_stock(base) if keep_stock else None)
        t["note"] += " Corrected in place; carried-over, carried-forward and 现行有效件数 as first published."
        return t
    fixed_next = None
    if next_plan is not None and next_plan.attachment_key:
        fixed_next = _truth(seed, site_id, agency, year + 1, False)
    fit(t, carried_over=_col(prev["cells"], "carried_forward") if prev is not None else None,
        carried_forward=_col(fixed_next["cells"], "carried_over") if fixed_next is not None else None,
        stock_before=_stock(prev["cells"]) if stock_chain else None,
        stock=_stock_before(fixed_next["cells"])
        if fixed_next is not None and fixed_next["template"] == "2021" and plan.template == "2021" else None)
    if prev is not None:
        notes.append(f"Chained to the {year - 1} report")
    if fixed_next is not None:
        notes.append(f"carries forward what the {year + 1} report carries over")
    kind = breaks().get(plan.key)
    if kind and prev is not None:
        notes.append("cross-year break on purpose: " + _break(t, kind, prev, rng_for("xbreak-cells", seed, plan.key)))
    if notes:
        t["note"] += " " + "; ".join(notes) + "."
    return t


def chained_truth(plan: ReportPlan, seed: int, generation: int) -> dict:
    """The truth behind ``plan`` (a fresh copy): the prebuilt attachment's, or a random one fitted to its
    neighbours (see the module doc)."""
    corrected = bool(plan.changed_in and generation >= plan.changed_in)
    return copy.deepcopy(_truth(seed, plan.site_id, plan.agency, plan.report_year, corrected))
