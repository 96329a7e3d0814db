"""Publishing the warehouse atomically.

DuckDB lets one process write a file, and while it does no other process may open it, not even read-only.
So a writer never opens the published file: it copies it to `nianbao.duckdb.building` beside it, loads
into the copy, CHECKPOINTs, closes, fsyncs and `os.replace`s the copy over `nianbao.duckdb`. Analysts'
connections opened before the swap keep reading the old file (its inode lives until they close); new
connections see the new one; nobody ever sees a half-loaded warehouse. A crash or kill at any point before
the rename leaves the published file untouched; the stale copy is removed by the next writer.

Two writers never run at once: the writer holds an exclusive `flock` on `warehouse/.writer.lock` (released by
the kernel when the process dies, so a killed writer never leaves a stale lock).
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.errors import UserError

from core import layout

from . import db


class Writer:
    """A build in progress: `con` is a read-write connection to the copy."""

    def __init__(self, data_dir: Path, con, build: Path):
        self.data_dir = Path(data_dir)
        self.con = con
        self.build = build
        self.published = layout.published_path(data_dir)
        self.discarded = False

    def discard(self) -> None:
        """Do not publish this build (nothing changed)."""
        self.discarded = True


def _fsync_path(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_build(build: Path) -> None:
    for p in (build, Path(str(build) + ".wal"), Path(str(build) + ".tmp")):
        try:
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink()
        except FileNotFoundError:
            pass


@contextmanager
def writer_lock(data_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """The warehouse's single-writer lock; `wait` seconds to wait for another writer (0: fail at once)."""
    wdir = layout.warehouse_dir(data_dir)
    wdir.mkdir(parents=True, exist_ok=True)
    lock = layout.lock_path(data_dir)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
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
                    try:
                        holder = Path(lock).read_text(encoding="utf-8").strip()
                    except OSError:
                        holder = ""
                    raise UserError(
                        f"another warehouse writer is running ({holder or 'unknown'}); try again when it has finished"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _compact_copy(published: Path, build: Path) -> None:
    """Rewrite the published warehouse into a fresh file in the published storage format (drops the space of
    deleted rows; converts a file written in another format)."""
    con = db.create(build)
    try:
        quoted = str(published).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS published_db (READ_ONLY)")
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"COPY FROM DATABASE published_db TO \"{name}\"")
        con.execute("DETACH published_db")
        db.apply_schema(con, force=True)  # views and every comment, whatever the copy carried over
        con.execute("CHECKPOINT")
    finally:
        con.close()


@contextmanager
def writer(data_dir: Path, wait: float = 0.0, compact: bool = False) -> Iterator[Writer]:
    """Take the writer lock, build a new version of the warehouse and publish it (see `build`)."""
    with writer_lock(data_dir, wait=wait):
        with build(data_dir, compact=compact) as w:
            yield w


def _needs_conversion(published: Path) -> bool:
    """True when the published file is not in the published storage format (written by an older nianbao)."""
    con = db.connect(published, read_only=True)
    try:
        return not db.is_published_format(con)
    finally:
        con.close()


@contextmanager
def build(data_dir: Path, compact: bool = False) -> Iterator[Writer]:
    """Build a new version of the warehouse and publish it when the block ends without an error. The caller
    holds the writer lock.

    The block gets a `Writer` whose `con` writes into a copy of the published file (schema and views
    already applied). An exception, or `Writer.discard()`, leaves the published file as it was.
    `compact` rewrites the copy table by table instead of copying the file's bytes, which gives back the
    space of deleted rows (slower; worth it after re-extractions). Without it, a build whose file is more
    than a third free space is compacted before it is published, so the file stays under 1.5 times its data.
    A new file, and every rewrite, is written in the storage format of db.STORAGE_VERSION.
    """
    data_dir = Path(data_dir)
    published = layout.published_path(data_dir)
    build_path = layout.build_path(data_dir)
    _remove_build(build_path)  # a stale copy from a crashed writer
    _remove_build(Path(str(build_path) + ".compact"))
    if published.exists():
        compact = compact or _needs_conversion(published)
        if compact:
            _compact_copy(published, build_path)
        else:
            shutil.copyfile(published, build_path)
        con = db.connect(build_path)
    else:
        con = db.create(build_path)
    w = Writer(data_dir, con, build_path)
    too_sparse = False
    try:
        db.apply_schema(con)
        yield w
        if not w.discarded:
            con.execute("CHECKPOINT")
            r = con.execute("PRAGMA database_size").fetchall()[0]
            total, free = r[3], r[5]
            too_sparse = not compact and total > 64 and free * 3 > total  # over a third is free space
    except BaseException:
        try:
            con.close()
        finally:
            _remove_build(build_path)
        raise
    con.close()
    if w.discarded:
        _remove_build(build_path)
        return
    wal = Path(str(build_path) + ".wal")
    if wal.exists():  # CHECKPOINT + close leave none; never publish a file whose WAL would be lost
        raise RuntimeError(f"{wal} left after CHECKPOINT; not publishing")
    if too_sparse:  # replaced rows left their space behind: rewrite compactly before publishing
        compacted = Path(str(build_path) + ".compact")
        _remove_build(compacted)
        try:
            _compact_copy(build_path, compacted)
            os.replace(compacted, build_path)
        finally:
            _remove_build(compacted)
    _fsync_path(build_path)
    os.replace(build_path, published)
    _fsync_path(published.parent, directory=True)
