"""Re-extraction through the flows' extract stage (flows.stages.reextract: the code of the `reextract` flow and
of `nianbao reextract`), with the real extractor on the seed reports, loaded into a real warehouse."""
import json
from pathlib import Path

import pytest

from core import layout
from extract import pipeline
from flows.stages import reextract
from tests.warehouse.wh_helpers import assert_consistent, dump, reader, rows
from tests.warehouse.wh_synth import RunBuilder
from warehouse.load import load_run

SEEDS = Path(__file__).resolve().parents[1] / "golden" / "seeds"  # the project's copy of the five real reports


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


def _load_seeds(data_dir):
    b = RunBuilder(data_dir)
    b.portal("tc", "达州市通川区人民政府", "511702")
    results = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        url = f"https://www.example.gov.cn/nb/{i}.html"
        body = path.read_bytes()
        sha = b.fetch("tc", url, "report", body=body, detected_type="text")
        r = pipeline.extract_bytes(body, str(path), url=url).to_dict()
        r["sha256"] = sha
        results.append(r)
    run_dir, extracted = b.write()
    extracted.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    s = load_run(data_dir, run_dir, extracted)
    assert s.reports == len(results) and s.results_unused == 0
    with reader(data_dir) as con:
        for r in results:
            got = rows(con, "SELECT r.status, r.template, r.report_year, count(c.cell_key) FROM reports r "
                            "LEFT JOIN cell_rows c USING (report_id) WHERE r.source_url = ? GROUP BY ALL", [r["url"]])
            assert got == [(r["status"], r["template"] if r["status"] == "ok" else r["template"],
                            r["report_year"], len(r["cells"]) if r["status"] == "ok" else 0)]
            if r["status"] == "ok":
                cells = dict(rows(con, "SELECT c.cell_key, c.value FROM cell_rows c JOIN reports r USING (report_id) "
                                       "WHERE r.source_url = ?", [r["url"]]))
                assert cells == {k: (None if v is None else float(v)) for k, v in r["cells"].items()}
    assert_consistent(data_dir)
    return results


@pytest.mark.slow
def test_seed_reports_load_and_reextract(data_dir):
    _load_seeds(data_dir)
    before = dump(data_dir)
    assert reextract(data_dir, workers=2).skipped  # same extractor version: nothing to do
    cluster: dict = {}
    s = reextract(data_dir, force=True, workers=2, report=cluster)  # a local Dask cluster of two workers
    assert not s.skipped and s.documents_extracted == 5
    assert cluster["batches"] >= 1 and cluster["batches_failed_on_cluster"] == 0, cluster
    assert dump(data_dir, tables=("cells", "checks")) == {k: before[k] for k in ("cells", "checks")}


@pytest.mark.slow
def test_reextract_refuses_a_corrupt_raw_body_and_keeps_the_report(data_dir):
    """A raw body that no longer matches its sha256 (bit rot) is refused with a reason; the report keeps its
    earlier extraction instead of taking the corrupt bytes' numbers."""
    results = _load_seeds(data_dir)
    victim = next(r for r in results if r["status"] == "ok")
    raw = layout.raw_path(data_dir, victim["sha256"])
    before = dump(data_dir, tables=("cells",))
    raw.write_bytes(raw.read_bytes().replace(b"1", b"9"))
    s = reextract(data_dir, force=True, workers=1)
    assert s.documents_corrupt_raw == 1 and s.documents_extracted == len(results) - 1
    assert dump(data_dir, tables=("cells",)) == before
    raw.unlink()
    s = reextract(data_dir, force=True, workers=1)
    assert s.documents_missing_raw == 1
    assert dump(data_dir, tables=("cells",)) == before
