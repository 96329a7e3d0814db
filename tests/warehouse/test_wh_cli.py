import pytest
"""The warehouse subcommands through `nianbao.cli.main`."""
import json

from tests.warehouse.test_wh_load import build_run1
from tests.warehouse.wh_synth import fake_extract

from nianbao.cli import build_parser, main


def test_commands_registered():
    help_text = build_parser().format_help()
    for cmd in ("load", "export", "reextract", "sql"):
        assert cmd in help_text


@pytest.mark.slow
def test_load_sql_export(data_dir, tmp_path, capsys, monkeypatch):
    b, _ = build_run1(data_dir)
    run_dir, extracted = b.write()
    # --run takes a RUN_ID under DATA_DIR/runs; --extracted defaults to RUN_DIR/extracted.jsonl
    assert main(["load", "--run", run_dir.name, "--data-dir", str(data_dir)]) == 0
    err = capsys.readouterr().err
    assert "loaded run 20260101T000000Z" in err and "cells" in err
    assert main(["load", "--run", str(run_dir), "--extracted", str(extracted), "--data-dir", str(data_dir)]) == 0
    assert "already loaded" in capsys.readouterr().err
    assert main(["sql", "SELECT status, count(*) AS n FROM reports GROUP BY 1 ORDER BY 1", "--csv",
                 "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert '"ok",4' in out.replace(" ", "") or "ok,4" in out
    assert main(["sql", "SELECT agency FROM reports ORDER BY 1", "--data-dir", str(data_dir), "--limit", "2"]) == 0
    captured = capsys.readouterr()
    assert "first 2 rows" in captured.err
    assert main(["sql", "SELECT * FROM nope", "--data-dir", str(data_dir)]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["sql", "DELETE FROM reports", "--data-dir", str(data_dir)]) == 2  # read-only
    capsys.readouterr()
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(data_dir))
    assert main(["export", "--out", str(tmp_path / "snap"), "--date", "2026-02-03"]) == 0
    folder = tmp_path / "snap" / "2026-02-03"
    assert capsys.readouterr().out.strip() == str(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {f["file"] for f in manifest["files"]} >= {"reports.csv", "cells.parquet", "apply_wide.csv", "quality.csv"}


@pytest.mark.slow
def test_errors_are_one_line(data_dir, tmp_path, capsys):
    assert main(["load", "--run", str(tmp_path / "nope"), "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao: run directory not found") and err.count("\n") == 1
    assert main(["export", "--data-dir", str(data_dir)]) == 2
    assert "no warehouse" in capsys.readouterr().err
    assert main(["reextract", "--data-dir", str(data_dir)]) == 2
    assert main(["sql", "SELECT 1", "--data-dir", str(data_dir)]) == 2


@pytest.mark.slow
def test_reextract_command(data_dir, capsys, monkeypatch):
    b, _ = build_run1(data_dir)
    assert main(["load", "--run", str(b.write()[0]), "--data-dir", str(data_dir)]) == 0
    assert main(["reextract", "--data-dir", str(data_dir)]) == 0
    assert "re-extraction" in capsys.readouterr().err
    assert main(["reextract", "--data-dir", str(data_dir)]) == 0
    assert "nothing to do" in capsys.readouterr().err
