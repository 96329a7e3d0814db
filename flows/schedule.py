"""The deployments served by `nianbao serve` against a Prefect server.

`nightly` runs on its cron; `backfill` and `reextract` are registered without a schedule so that an
operator can start them from the Prefect UI or `prefect deployment run` (after adding portals, or
after an extractor upgrade).  `serve()` needs a real server (`prefect server start`; PREFECT_API_URL
set); `pause_on_shutdown` is off so that stopping the process does not leave the schedule paused.
Entrypoints are module paths (flows.nightly:nightly), not file paths: they work from any working
directory and keep the package context that the extraction worker processes re-import.
"""
from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from flows.nightly import backfill, nightly, reextract


def deployment_parameters(sources: Path | None, data_dir: Path) -> dict:
    return {"sources": str(sources) if sources else None, "data_dir": str(data_dir)}


def serve_nightly(sources: Path | None, data_dir: Path, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai",
                  name: str = "nightly") -> None:
    params = deployment_parameters(sources, data_dir)
    serve(
        nightly.to_deployment(
            name=name,
            schedule=Cron(cron, timezone=timezone),
            parameters=params,
            tags=["nianbao"],
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Crawl the 年报 columns of the sources, extract, load into DuckDB, check, export.",
        ),
        backfill.to_deployment(
            name="backfill",
            parameters=params,
            tags=["nianbao"],
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="A full re-crawl ignoring the increment state, then extract, load, check, export.",
        ),
        reextract.to_deployment(
            name="reextract",
            parameters={"data_dir": str(data_dir)},
            tags=["nianbao"],
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Rebuild cells from the stored raw documents after an extractor change (no crawl).",
        ),
        pause_on_shutdown=False,
    )
