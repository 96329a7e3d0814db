"""The evaluation's silent-error measure and its grading of `verified` and expected failed checks."""
from __future__ import annotations

import json
from pathlib import Path

from extract.evaluate import evaluate, format_report
from extract.pipeline import extract_bytes

from tests.extract.test_tables import consistent_rows, table_html


def _corpus(tmp_path: Path, html: bytes, edit) -> Path:
    (tmp_path / "doc.html").write_bytes(html)
    res = extract_bytes(html, "doc.html")
    truth = {"document": "doc.html", "status": "ok", "template": res.template, "report_year": res.report_year,
             "agency": res.agency, "published": res.published, "verified": res.verified, "cells": dict(res.cells)}
    edit(truth)
    (tmp_path / "doc.truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_a_wrong_cell_in_a_verified_report_is_a_silent_error(tmp_path):
    root = _corpus(tmp_path, table_html(consistent_rows()), lambda t: t["cells"].update({"apply.new.total": 4}))
    scores = evaluate(root)
    assert scores.docs[0].verified is True
    assert scores.rate("silent_errors")[0] == 1
    assert "silent errors 1 wrong cells in 1 reports marked verified" in format_report(scores)


def test_a_wrong_cell_in_an_unverified_report_is_not_silent(tmp_path):
    html = table_html(consistent_rows({"（一）予以公开": ["", "1", "0", "0", "0", "0", "2"]}))
    root = _corpus(tmp_path, html, lambda t: t["cells"].update({"apply.new.total": 4}))
    scores = evaluate(root)
    assert scores.docs[0].verified is False
    assert scores.rate("cells")[0] == scores.rate("cells")[1] - 1
    assert scores.rate("silent_errors")[0] == 0


def test_verified_and_expected_failed_checks_are_graded(tmp_path):
    html = table_html(consistent_rows(), drop_col=4)

    def edit(t):
        t["verified"] = True
        t["expected_failed_checks"] = ["layout.rows_missing"]

    scores = evaluate(_corpus(tmp_path, html, edit))
    assert scores.rate("verified") == (0, 1)
    assert scores.rate("failed_checks") == (0, 1)
    errors = "\n".join(scores.docs[0].errors)
    assert "verified: expected True, got False" in errors and "layout.columns_missing" in errors


def test_expected_failed_checks_accept_a_prefix(tmp_path):
    html = table_html(consistent_rows(), drop_col=4)
    scores = evaluate(_corpus(tmp_path, html, lambda t: t.update(expected_failed_checks=["layout."])))
    assert scores.rate("failed_checks") == (1, 1) and scores.rate("verified") == (1, 1)
