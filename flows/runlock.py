"""One run at a time per data directory.

Two runs on one data directory would share the crawl state, the raw store and the warehouse: before this
lock the second got `database is locked` on every item and still printed success. Every command that writes
the data directory (`nianbao run`, `backfill`, `crawl`, `load`, `reextract`, `demo`) and every flow run (also
the deployments of `nianbao serve`) holds an exclusive `flock` on DATA_DIR/run.lock for its whole life. A second
one waits up to `wait` seconds and then fails with one line naming the holder and a non-zero status (75,
EX_TEMPFAIL: try again later). The kernel drops the lock when its holder dies, even by SIGKILL, so a killed run
never leaves a stale lock; the descriptor is close-on-exec, so no child keeps it.

The lock is re-entrant within a process: `nianbao run` takes it before it starts Prefect (a busy directory is
refused in a second instead of after Prefect's start-up), and the flow it runs takes it again.
"""
from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from core import layout
from core.errors import UserError

EX_TEMPFAIL = 75


class Busy(UserError):
    """Another run holds the data directory."""

    exit_code = EX_TEMPFAIL


_held: dict[str, list[int]] = {}  # lock path -> [fd, depth]
_guard = threading.Lock()


def holder(data_dir: Path) -> str:
    """Who holds the lock, as its holder wrote it ("" when nobody does)."""
    try:
        return layout.run_lock_path(data_dir).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@contextmanager
def run_lock(data_dir: Path, wait: float = 0.0, what: str = "nianbao") -> Iterator[None]:
    """Hold DATA_DIR/run.lock for the block; wait up to `wait` seconds for another holder, then raise Busy."""
    if wait < 0:
        raise UserError(f"--wait must be 0 or more seconds, not {wait:g}")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UserError(f"data directory not found: {data_dir}")
    path = str(layout.run_lock_path(data_dir).resolve())
    with _guard:
        entry = _held.get(path)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield
        finally:
            with _guard:
                entry[1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                who = holder(data_dir) or "another process"
                waited = f" after waiting {wait:g} s" if wait else ""
                raise Busy(f"{data_dir} is busy{waited}: {who} holds {path}; try again when it has finished "
                           "(or give --wait SECONDS)")
            time.sleep(min(0.2, max(0.01, deadline - time.monotonic())))
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what} (pid {os.getpid()}, since {stamp})\n".encode(), 0)
        with _guard:
            _held[path] = [fd, 1]
        try:
            yield
        finally:
            with _guard:
                _held.pop(path, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
