"""The Dask cluster that a run's crawl shards and extraction batches run on (prefect-dask's DaskTaskRunner).

    with Cluster(address=None, workers=None) as cluster:      # a LocalCluster sized to the cores
        futures = [cluster.submit(some_task, some_function, x=1) for ...]
        for fut in cluster.as_completed(futures): fut.result()

`address` (`--dask-address tcp://HOST:PORT`, or $NIANBAO_DASK_ADDRESS) connects to a running `dask scheduler`
instead; without one a `distributed.LocalCluster` of `workers` single-threaded worker processes (default: one
per core) lives as long as the `with` block.

Inside a Prefect flow run the work is submitted as Prefect tasks through the DaskTaskRunner, so every batch and
every crawl shard is a task run in the Prefect UI; outside a flow (`nianbao reextract`) the same function goes to
the same cluster without Prefect. A task run on a Dask worker talks to the Prefect API itself: when the flow runs
on Prefect's temporary server, its address (127.0.0.1) is handed to the workers, which only works for workers on
this machine; a cluster on other machines needs a Prefect server they can reach (PREFECT_API_URL).

Workers import nianbao: they must run the same installed version (docs/scaling.md).
"""
from __future__ import annotations

import contextvars
import ipaddress
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from urllib.parse import urlsplit

from core.errors import UserError

ADDRESS_ENV = "NIANBAO_DASK_ADDRESS"
WORKER_WAIT_SECONDS = 120.0  # how long a run waits for the first worker of a cluster to register


def resolve_address(given: str | None = None) -> str | None:
    """The scheduler to use: the option, else $NIANBAO_DASK_ADDRESS, else None (a LocalCluster)."""
    address = (given or os.environ.get(ADDRESS_ENV) or "").strip()
    if not address:
        return None
    if "://" not in address:
        address = "tcp://" + address
    parts = urlsplit(address)
    if not parts.hostname or not parts.port:
        raise UserError(f"Dask scheduler address must be tcp://HOST:PORT, got {given or os.environ.get(ADDRESS_ENV)!r}")
    return address


def default_workers() -> int:
    """One single-threaded worker process per core (extraction is CPU-bound)."""
    return max(1, os.cpu_count() or 1)


def is_loopback(address: str) -> bool:
    host = urlsplit(address).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_prefect_reachable(address: str | None) -> None:
    """Fail early (before Prefect starts) when workers on other machines could not reach the Prefect API."""
    if address and not is_loopback(address) and not os.environ.get("PREFECT_API_URL"):
        raise UserError(f"the Dask cluster at {address} runs on other machines, which cannot reach Prefect's temporary "
                        "server on this one: start a Prefect server and set PREFECT_API_URL to an address the workers "
                        "can reach (docs/scaling.md)")


class Future:
    """A piece of work on the cluster: a Prefect task run (in a flow) or a plain Dask future (outside one)."""

    def __init__(self, dask_future: Any, prefect_future: Any = None):
        self.dask = dask_future
        self.prefect = prefect_future

    def result(self) -> Any:
        """The function's return value; raises its exception, or the cluster's (a worker lost: KilledWorker)."""
        if self.prefect is not None:
            return self.prefect.result()
        return self.dask.result()


class Cluster:
    """A Dask cluster for the duration of a `with` block (see the module docstring)."""

    def __init__(self, address: str | None = None, workers: int | None = None, quiet: bool = True):
        self.address = resolve_address(address)
        self.n_workers = workers or default_workers()
        self.quiet = quiet
        self.runner: Any = None
        self.client: Any = None
        self._in_flow = False
        self._api_url: str | None = None

    # --- life cycle --------------------------------------------------------------------------------------
    def __enter__(self) -> "Cluster":
        if self.quiet:
            # the scheduler's and workers' INFO lines would bury the run's own progress
            for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker",
                         "distributed.core", "distributed.http.proxy"):
                logging.getLogger(name).setLevel(logging.WARNING)
        from prefect.context import FlowRunContext
        from prefect_dask import DaskTaskRunner

        self._in_flow = FlowRunContext.get() is not None
        if self._in_flow:
            self._api_url = self._worker_api_url()
        import dask

        # the workers start capped child processes for extraction (flows/extract_stage.extract_capped)
        dask.config.set({"distributed.worker.daemon": False})
        if self.address:
            self.runner = DaskTaskRunner(address=self.address)
        else:
            self.runner = DaskTaskRunner(cluster_kwargs={
                "n_workers": self.n_workers, "threads_per_worker": 1, "processes": True,
                "dashboard_address": ":0", "silence_logs": logging.CRITICAL if self.quiet else logging.INFO})
        self.runner.__enter__()
        try:
            self.client = self.runner.client  # starts the LocalCluster, or connects
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except BaseException as exc:
            self.runner.__exit__(type(exc), exc, exc.__traceback__)
            if self.address and not isinstance(exc, KeyboardInterrupt):
                raise UserError(f"Dask scheduler {self.address}: {type(exc).__name__}: {exc}") from exc
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            from flows.extract_stage import release_children

            try:  # best effort: a worker that is gone has nothing to release
                # an interrupted or failed run kills the children mid-batch instead of waiting for their batches
                self.client.run(release_children, exc[0] is not None, wait=True, on_error="ignore")
            except Exception:  # noqa: BLE001
                pass
        if self.runner is not None:
            self.runner.__exit__(*exc)
        self.runner = self.client = None

    def _worker_api_url(self) -> str | None:
        """The Prefect API the task runs on the workers must report to (None: the configured PREFECT_API_URL)."""
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            return None  # a real server: the serialized settings already carry it
        from prefect.context import get_run_context

        url = str(get_run_context().client.api_url).rstrip("/")
        if self.address and not is_loopback(self.address):
            raise UserError(
                f"the Dask cluster at {self.address} runs on other machines, which cannot reach Prefect's temporary "
                f"server on this one ({url}): start a Prefect server and set PREFECT_API_URL to an address the "
                "workers can reach (docs/scaling.md)")
        return url

    # --- work ------------------------------------------------------------------------------------------------
    def slots(self) -> int:
        """How many tasks the cluster runs at once (the workers' threads)."""
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) else self.client.scheduler_info()
        workers = info.get("workers", {})
        return max(1, sum(int(w.get("nthreads") or 1) for w in workers.values()))

    def worker_count(self) -> int:
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) else self.client.scheduler_info()
        return len(info.get("workers", {}))

    def submit(self, task: Any, fn: Callable[..., Any], **params: Any) -> Future:
        """Run `fn(**params)` on a worker: as the Prefect task `task` (whose body calls fn) inside a flow run,
        as the plain function outside one."""
        if not self._in_flow:
            return Future(self.client.submit(fn, pure=False, **params))
        settings = nullcontext()
        if self._api_url:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            # the serialized settings context tells the worker where the temporary server is
            settings = temporary_settings(updates={PREFECT_API_URL: self._api_url})
        with settings:
            fut = self.runner.submit(task, parameters=params)
        return Future(fut.wrapped_future, fut)

    def as_completed(self, futures: list[Future]) -> Iterator[Future]:
        """The futures as they finish (or fail)."""
        from distributed import as_completed

        by_key = {f.dask.key: f for f in futures}
        with self.client.as_current():  # the runner's client is not the process-wide default
            done_futures = as_completed([f.dask for f in futures])
        for done in done_futures:
            yield by_key[done.key]


def _takes_n_workers(client: Any) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return False


_active: "contextvars.ContextVar[Cluster | None]" = contextvars.ContextVar("nianbao_cluster", default=None)


def active_cluster() -> Cluster | None:
    """The cluster of the flow run in progress (a flow's tasks take no cluster parameter: it does not serialise)."""
    return _active.get()


@contextmanager
def activate(cluster: Cluster) -> Iterator[Cluster]:
    token = _active.set(cluster)
    try:
        yield cluster
    finally:
        _active.reset(token)

