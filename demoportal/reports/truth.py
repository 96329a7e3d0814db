"""Truths: random but consistent cell values for a report (the seed truth format), and their identities."""
from __future__ import annotations

import datetime as _dt
import random
import re

from .regions import region_for_agency
from .template import APPLICANTS, APPLY_COLS, REVIEW_COLS, REVIEW_GROUPS, _result_rows, load_cell_keys


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _agency_kind(agency: str) -> str:
    if re.search(r"(镇|乡)人民政府$|街道办事处$", agency):
        return "township"
    if agency.endswith("人民政府"):
        return "government"
    return "department"


def _default_published(rng: random.Random, report_year: int, agency: str) -> str:
    kind = _agency_kind(agency)
    start = _dt.date(report_year + 1, 1, 6)
    span = {"department": 25, "government": 80, "township": 70}[kind]
    d = start + _dt.timedelta(days=rng.randint(0, span))
    return d.isoformat()


def _small(rng: random.Random, zero_share: float, hi: int) -> int:
    if rng.random() < zero_share:
        return 0
    return rng.randint(1, max(1, hi))


def random_truth(template: str, report_year: int, agency: str, seed: int, *, published: str | None = None,
                 zero_share: float = 0.3, consistent: bool = True, other_single_row: bool = False) -> dict:
    """A truth dict in the seed truth format with every key of ``template``.

    Values are non-negative integers satisfying identities 1-4 of template.md when ``consistent`` (except the 2019
    signed ``change`` columns, the 2019 procurement amount and the 2021 fee amount in 万元). In a 2021 truth the
    seven ``apply.other.*`` cells are null unless ``other_single_row``; then the 21 ``apply.other.<sub>.*`` cells
    are null instead. ``published`` None picks a plausible date in the next year's first quarter.
    """
    if template not in ("2019", "2021"):
        raise ValueError(f"unknown template {template!r}")
    if other_single_row and template != "2021":
        raise ValueError("other_single_row only applies to template 2021")
    keys = load_cell_keys()[template]
    rng = _rng("truth", template, report_year, agency, seed)
    kind = _agency_kind(agency)
    scale = {"township": 4, "department": 9, "government": 25}[kind]
    scale = max(2, int(scale * rng.choice((0.6, 1.0, 1.5, 2.5))))
    cells: dict[str, object] = {k: None for k in keys}

    # --- active
    if template == "2021":
        for row in ("rules", "normative"):
            if row == "rules" and kind == "township":
                issued = repealed = 0
                in_force = 0 if rng.random() < 0.7 else rng.randint(1, 3)
            else:
                issued = _small(rng, zero_share, 12 if row == "normative" else 3)
                repealed = _small(rng, zero_share, 6 if row == "normative" else 2)
                in_force = issued + _small(rng, zero_share * 0.5, 60 if row == "normative" else 15)
            cells[f"active.art20_1.{row}.issued"] = issued
            cells[f"active.art20_1.{row}.repealed"] = repealed
            cells[f"active.art20_1.{row}.in_force"] = in_force
        cells["active.art20_5.licensing.decisions"] = _small(rng, zero_share, scale * rng.choice((5, 40, 300)))
        cells["active.art20_6.penalty.decisions"] = _small(rng, zero_share, scale * rng.choice((3, 20, 150)))
        cells["active.art20_6.coercion.decisions"] = _small(rng, zero_share, scale * 3)
        if rng.random() < zero_share * 0.6:
            cells["active.art20_8.fees.amount"] = 0
        else:
            cells["active.art20_8.fees.amount"] = round(rng.uniform(0.05, 1.0) * rng.choice((10, 100, 1000)), 2)
    else:
        for row in ("rules", "normative"):
            made = _small(rng, zero_share, 3 if row == "rules" else 15)
            pub = made if rng.random() < 0.7 else max(0, made - rng.randint(0, 2))
            cells[f"active.art20_1.{row}.made"] = made
            cells[f"active.art20_1.{row}.published"] = pub
            cells[f"active.art20_1.{row}.total_published"] = pub + _small(rng, zero_share * 0.5, 80)
        for sec, rows in (("art20_5", ("licensing", "other_services")), ("art20_6", ("penalty", "coercion")),
                          ("art20_8", ("fees",))):
            for row in rows:
                prev = _small(rng, zero_share, scale * 4)
                change = 0 if rng.random() < zero_share else rng.randint(-min(prev, 5), 12)
                if change == 0 and rng.random() > zero_share:
                    change = rng.randint(1, 6)
                cells[f"active.{sec}.{row}.prev_items"] = prev
                cells[f"active.{sec}.{row}.change"] = change
                if sec != "art20_8":
                    cells[f"active.{sec}.{row}.decisions"] = _small(rng, zero_share, scale * rng.choice((4, 30, 200)))
        items = _small(rng, zero_share, 12)
        cells["active.art20_9.procurement.items"] = items
        if items == 0:
            amount: object = 0
        elif rng.random() < 0.6:
            amount = rng.randint(8, 4000) * 50 + rng.choice((0, 0, 30, 85))  # 元, e.g. 24850
        else:
            amount = round(rng.randint(5, 90000) / 10, 1)  # 万元 printed as a bare decimal
        cells["active.art20_9.procurement.amount"] = amount

    # --- apply
    results = _result_rows(template, other_single_row)
    weight = {"person": 1.0, "business": 0.45, "research": 0.15, "nonprofit": 0.15, "legal": 0.3, "other_org": 0.25}
    for col in APPLICANTS:
        hi = max(1, int(scale * weight[col] / 2))
        col_total = 0
        for r in results:
            big = r in ("granted", "partial", "unable.not_held")
            v = _small(rng, zero_share, hi * (3 if big else 1))
            cells[f"apply.{r}.{col}"] = v
            col_total += v
        cells[f"apply.total.{col}"] = col_total
        cf = _small(rng, zero_share, max(1, hi // 2 + 1))
        co = 0 if rng.random() < zero_share else rng.randint(0, min(col_total + cf, hi))
        cells[f"apply.carried_forward.{col}"] = cf
        cells[f"apply.carried_over.{col}"] = co
        cells[f"apply.new.{col}"] = col_total + cf - co
    for r in ["new", "carried_over"] + results + ["total", "carried_forward"]:
        cells[f"apply.{r}.total"] = sum(cells[f"apply.{r}.{c}"] for c in APPLICANTS)  # type: ignore[misc]

    # --- review
    for g in REVIEW_GROUPS:
        parts = [_small(rng, zero_share, 3 if g == "reconsideration" else 2) for _ in range(4)]
        for c, v in zip(REVIEW_COLS[:4], parts):
            cells[f"review.{g}.{c}"] = v
        cells[f"review.{g}.total"] = sum(parts)

    note = f"Synthetic report (demoportal.reports, seed {seed})."
    if not consistent:
        broken = _break_identities(cells, template, results, rng)
        note += " Inconsistent as printed: " + "; ".join(broken) + "."
    if published is None:
        published = _default_published(rng, report_year, agency)
    missing = [k for k in keys if k not in cells]
    assert not missing and len(cells) == len(keys), missing
    return {
        "document": f"synthetic_{template}_{report_year}_{seed}.html",
        "template": template,
        "report_year": report_year,
        "agency": agency,
        "published": published,
        "region": region_for_agency(agency),
        "units": {},
        "note": note,
        "cells": {k: cells[k] for k in keys},
    }


def _break_identities(cells: dict, template: str, results: list[str], rng: random.Random) -> list[str]:
    """Perturb single printed cells so that identities fail, as real reports do (values kept as printed)."""
    broken = []
    kinds = ["granted_without_application", "row_total_off", "review_total_off", "column_total_off"]
    rng.shuffle(kinds)
    for kind in kinds[: rng.randint(2, 3)]:
        if kind == "granted_without_application":
            # seed 003: nothing received, nothing carried over, yet one granted
            col = rng.choice(APPLICANTS[1:])
            cells[f"apply.new.{col}"] = 0
            cells[f"apply.carried_over.{col}"] = 0
            cells[f"apply.granted.{col}"] = (cells[f"apply.granted.{col}"] or 0) + 1
            broken.append(f"apply column {col}: nothing new or carried over, yet granted")
        elif kind == "row_total_off":
            r = rng.choice(results[:2] + ["new"])
            cells[f"apply.{r}.total"] = cells[f"apply.{r}.total"] + rng.choice((1, 2, 10))
            broken.append(f"apply.{r}.total is not the sum of its row")
        elif kind == "review_total_off":
            g = rng.choice(REVIEW_GROUPS)
            cells[f"review.{g}.total"] = cells[f"review.{g}.total"] + 1
            broken.append(f"review.{g}.total is not the sum of its group")
        else:
            col = rng.choice(APPLICANTS[:3])
            cells[f"apply.total.{col}"] = cells[f"apply.total.{col}"] + rng.choice((1, 3))
            broken.append(f"apply.total.{col} is not the sum of the result rows")
    return broken


def _num(v: object) -> float:
    return 0 if v is None else v  # type: ignore[return-value]


def check_identities(truth: dict) -> list[str]:
    """Identities 1-4 of template.md (null counts as 0). Returns the failed checks (empty list: all hold)."""
    cells = truth["cells"]
    template = truth["template"]
    single = template == "2021" and any(cells.get(f"apply.other.{c}") is not None for c in APPLY_COLS)
    results = _result_rows(template, template == "2019" or single)
    fails = []
    for col in APPLY_COLS:
        g = lambda r: _num(cells.get(f"apply.{r}.{col}"))  # noqa: E731
        if g("new") + g("carried_over") != g("total") + g("carried_forward"):
            fails.append(f"apply_flow.{col}")
        if g("total") != sum(g(r) for r in results):
            fails.append(f"apply_results.{col}")
    for r in ["new", "carried_over"] + results + ["total", "carried_forward"]:
        if _num(cells.get(f"apply.{r}.total")) != sum(_num(cells.get(f"apply.{r}.{c}")) for c in APPLICANTS):
            fails.append(f"apply_row.{r}")
    for g in REVIEW_GROUPS:
        if _num(cells.get(f"review.{g}.total")) != sum(_num(cells.get(f"review.{g}.{c}")) for c in REVIEW_COLS[:4]):
            fails.append(f"review.{g}")
    return fails
