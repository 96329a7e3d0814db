"""Configuration errors, found before any work starts and reported the same way everywhere.

A missing or invalid sources file, an unknown `--only` id, a missing data directory: these cannot get better
by trying again, so they are checked first, outside any Prefect task (a task would retry them), and raised as
one `UserError` line. `nianbao run` calls `check` before it starts Prefect and the flow calls it again as its
first step, so a deployment run fails at once with the very line the command line prints.
"""
from __future__ import annotations

import os
from pathlib import Path

from core.errors import UserError


def check_sources(sources: str | Path | None, only: list[str] | None = None) -> Path | None:
    """The sources file, resolved and validated (None: the bundled national list); UserError otherwise."""
    from crawlers.run import resolve_sources

    path = Path(sources).resolve() if sources else None
    if path is not None and not path.is_file():
        raise UserError(f"sources file not found: {sources}")
    resolve_sources(path, only=only)  # parses and validates every portal; raises UserError with one line
    return path


def check_data_dir(data_dir: str | Path) -> Path:
    """An existing, writable data directory, resolved. A missing one is an error, not created here: on a
    server it usually means a volume that is not mounted, and filling an empty mount point would hide that."""
    path = Path(data_dir)
    if not path.exists():
        raise UserError(f"data directory not found: {data_dir}")
    if not path.is_dir():
        raise UserError(f"data directory is not a directory: {data_dir}")
    if not os.access(path, os.W_OK | os.X_OK):
        raise UserError(f"data directory is not writable: {data_dir}")
    return path.resolve()


def check(sources: str | Path | None, data_dir: str | Path, only: list[str] | None = None) -> tuple[Path | None, Path]:
    """Both checks, sources first (so a bad sources file is reported before a missing data dir is created)."""
    return check_sources(sources, only), check_data_dir(data_dir)

