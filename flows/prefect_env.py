"""Prefect settings that must be in the environment before `import prefect`, and the Prefect server a run uses.

With PREFECT_API_URL set, every command uses that server (a long-lived `prefect server start`: 0.7–1.3 s of
Prefect overhead per run, see bench/bench_pipeline.py); `check_server` fails at once with one line when it
does not answer. Without it Prefect starts a temporary server in each process, which takes 8–40 s on these
machines (more under load): its startup timeout is raised, telemetry is off, and the Prefect home can be put
beside the data so that tests and demos do not share state with the user's ~/.prefect.

The temporary server is started by `start_server()` from the command's main thread, through core.lifetime's
guard: it is in the run's process group, stopped at exit, and killed by the kernel when the run's process dies,
even by SIGKILL, so a killed run leaves no server behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from core import lifetime
from core.errors import UserError

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_API_REQUEST_TIMEOUT": "120",
}


def configure(home: Path | None = None, quiet: bool = False) -> None:
    """Set Prefect's environment (existing values win); call before importing prefect."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if home is not None:
        os.environ.setdefault("PREFECT_HOME", str(Path(home).resolve()))
    if quiet:
        # the CLI shows its own progress; Prefect's INFO lines would interleave with it
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")


def api_url() -> str | None:
    """The Prefect server every command uses, when one is configured."""
    return os.environ.get("PREFECT_API_URL") or None


def describe() -> str:
    url = api_url()
    return f"the Prefect server at {url}" if url else "a temporary local Prefect server (15–40 s to start)"


def check_server(timeout: float = 10.0) -> None:
    """With PREFECT_API_URL set: fail at once, in one line, when that server does not answer."""
    url = api_url()
    if not url:
        return
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as resp:
            if resp.status == 200:
                return
            why = f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        why = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        why = str(getattr(exc, "reason", exc))
    raise UserError(f"the Prefect server at PREFECT_API_URL={url} does not answer ({why}); start it with "
                    "`prefect server start`, or unset PREFECT_API_URL to use a temporary one")


class _GuardedSubprocess:
    """Stands in for the `subprocess` module inside prefect.server.api.server: the temporary server's
    `Popen` goes through core.lifetime.guarded (SIGTERM to the server when this process dies)."""

    def __getattr__(self, name: str):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(args, *a, **kw):  # noqa: N802 - the name Prefect calls
        return subprocess.Popen(lifetime.guarded(list(args), signal.SIGTERM), *a, **kw)


def start_server() -> float:
    """Start Prefect's temporary server now, from this thread (call from the main thread: the kernel's
    parent-death signal follows the thread that started the child), unless PREFECT_API_URL names a server.
    Returns the seconds it took (0 with a server). Call after `configure()`."""
    if api_url():
        check_server()
        return 0.0
    from prefect.server.api import server as prefect_server

    if not isinstance(prefect_server.subprocess, _GuardedSubprocess):
        prefect_server.subprocess = _GuardedSubprocess()  # type: ignore[assignment]
    t0 = time.perf_counter()
    prefect_server.SubprocessASGIServer().start()
    return time.perf_counter() - t0
