"""The warehouse with the real extractor (extract.pipeline.extract_bytes) on the seed reports."""
import json
from pathlib import Path

from wh_helpers import assert_consistent, dump, reader, rows
from wh_synth import RunBuilder

from warehouse.load import load_run
from warehouse.reextract import reextract

from extract import pipeline

SEEDS = Path(__file__).resolve().parents[1] / "golden" / "seeds"  # the project's copy of the five real reports


def test_seed_reports_load_and_reextract(data_dir):
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
                            "LEFT JOIN cells c USING (report_id) WHERE r.source_url = ? GROUP BY ALL", [r["url"]])
            assert got == [(r["status"], r["template"] if r["status"] == "ok" else r["template"],
                            r["report_year"], len(r["cells"]) if r["status"] == "ok" else 0)]
            if r["status"] == "ok":
                cells = dict(rows(con, "SELECT c.cell_key, c.value FROM cells c JOIN reports r USING (report_id) "
                                       "WHERE r.source_url = ?", [r["url"]]))
                assert cells == {k: (None if v is None else float(v)) for k, v in r["cells"].items()}
    assert_consistent(data_dir)
    before = dump(data_dir)
    assert reextract(data_dir).skipped  # same extractor version: nothing to do
    reextract(data_dir, force=True)
    assert dump(data_dir, tables=("cells", "checks")) == {k: before[k] for k in ("cells", "checks")}
