"""Prefect settings that must be in the environment before `import prefect`.

Without a server Prefect starts a temporary one in each process, which takes 12–22 s on these
machines (more under load): its startup timeout is raised, telemetry is off, and the Prefect home
can be put beside the data so that tests and demos do not share state with the user's ~/.prefect.
"""
from __future__ import annotations

import os
from pathlib import Path

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
