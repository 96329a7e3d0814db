"""The Prefect tasks that run on the Dask workers (flows/cluster.py): one crawl shard, one extraction batch.

Each is a thin task around a plain function (crawlers.shards.crawl_shard, flows.extract_stage.extract_capped),
which is what runs when there is no flow (`nianbao reextract`). Results travel back through Dask, not through
Prefect's result storage (persist_result off, no cache: a batch is cached by content hash on disk already).
"""
from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NONE

from flows import extract_stage


@task(name="extract-batch", cache_policy=NONE, persist_result=False)
def extract_batch(data_dir: str, group: list[tuple[str, str]], force: bool = False,
                  memory_mb: int | None = None) -> list[dict[str, Any]]:
    """Extract a batch of stored documents in a capped child process of the worker."""
    return extract_stage.extract_capped(data_dir, group, force, memory_mb)


@task(name="crawl-shard", cache_policy=NONE, persist_result=False, retries=1, retry_delay_seconds=15)
def crawl_shard(run_dir: str, data_dir: str, run_id: str, index: int, sources_file: str, portal_ids: list[str],
                full: bool = False, polite: bool = True, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """One shard of the crawl: its own `scrapy crawl` subprocess on the worker (one host, one shard)."""
    from crawlers.shards import crawl_shard as run_shard

    out = run_shard(run_dir, data_dir, run_id, index, sources_file, portal_ids, full, polite, settings)
    out["worker"] = _worker_address()
    if not out["ok"]:
        raise RuntimeError(f"crawl shard {index} failed: {out['error']}")  # the task's retry applies
    return out


def _worker_address() -> str | None:
    """The Dask worker running this task (None outside one), for the run summary."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None
