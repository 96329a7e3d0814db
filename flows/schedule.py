"""The nightly schedule: a deployment served from this process against a Prefect server.

`serve()` needs a real server (`prefect server start`; PREFECT_API_URL set).  `pause_on_shutdown`
is off so that stopping the process does not leave the schedule paused for the next start.
"""
from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

from .nightly import nightly


def deployment_parameters(sources: Path | None, data_dir: Path) -> dict:
    return {"sources": str(sources) if sources else None, "data_dir": str(data_dir)}


def serve_nightly(sources: Path | None, data_dir: Path, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai",
                  name: str = "nightly") -> None:
    nightly.serve(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters=deployment_parameters(sources, data_dir),
        pause_on_shutdown=False,
        tags=["nianbao"],
        description="Crawl the 年报 columns of the sources, extract, load into DuckDB, check, export.",
    )
