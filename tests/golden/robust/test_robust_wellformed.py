"""Self-checks of the robust golden sub-corpus (tests/golden/robust/) — the documents and truths, not the extractor.

check_robust.py (the corpus builder's independent checker, written from template.md) reads every document with its
own readers and holds each truth to it: cell keys, identities on the truth values, the narrative's figures, the
labels deliberately misprinted, `verified` and `expected_failed_checks` against what is not printed.
"""
from __future__ import annotations

import pytest

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_robust_corpus_passes_its_independent_checker(capsys):
    spec = importlib.util.spec_from_file_location("check_robust", HERE / "check_robust.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rc = mod.main(["check_robust.py", str(HERE)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "44 truths checked, 0 problems" in out
