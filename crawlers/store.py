"""On-disk crawl output (docs/CONTRACTS.md, "Crawl output"): raw bodies, run manifests, increment state.

DATA_DIR/raw/ab/<sha256>          every body, content-addressed; written once (duplicate bodies are stored once)
DATA_DIR/runs/RUN_ID/...          manifest.jsonl, portals.jsonl, run.json (+ sources.yaml, crawl.log, stats.json)
DATA_DIR/state/crawl.sqlite       what earlier runs fetched: per URL its sha256, validators and list signature
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core import layout
from core.records import ManifestRow

MANIFEST_FIELDS = tuple(f.name for f in fields(ManifestRow))
# Crawl stats (stats.json) of responses that could not be stored (a full disk): crawlers/run.py reads them.
STORE_ERRORS_STAT = "nianbao/store_errors"
STORE_ERROR_LAST_STAT = "nianbao/store_error_last"


def new_run_id(suffix: str = "") -> str:
    rid = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{rid}-{suffix}" if suffix else rid


def prepare_run_dir(data_dir: Path, run_id: str, run_dir: Path | None = None) -> Path:
    """A new, empty run directory (plus the raw store and the state folder); a run id already used is refused,
    so two runs never write into one directory."""
    from core import layout
    from core.errors import UserError

    run_dir = Path(run_dir).resolve() if run_dir else layout.run_dir(data_dir, run_id)
    if run_dir.exists() and any(run_dir.iterdir()):
        raise UserError(f"run directory already exists: {run_dir}")
    run_dir.mkdir(parents=True, exist_ok=True)
    for folder in (layout.raw_dir(data_dir), layout.state_dir(data_dir)):
        folder.mkdir(parents=True, exist_ok=True)
    return run_dir


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RawStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store *data*; return (sha256, True if it was new)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return digest, True

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except OSError:
            return None


class JsonlWriter:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = self.path.open("a", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        self.fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        self.fh.flush()

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


@dataclass
class DocState:
    url: str
    portal_id: str
    role: str
    sha256: str | None
    size: int | None
    detected_type: str | None
    etag: str | None
    last_modified: str | None
    list_sig: str | None
    state: str
    status: int | None
    first_run: str
    last_run: str
    checked_at: float | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    portal_id TEXT NOT NULL, url TEXT NOT NULL, role TEXT NOT NULL, sha256 TEXT, size INTEGER, detected_type TEXT,
    etag TEXT, last_modified TEXT, list_sig TEXT, state TEXT NOT NULL, status INTEGER,
    first_run TEXT NOT NULL, last_run TEXT NOT NULL, link_title TEXT, listing_url TEXT, parent_url TEXT,
    checked_at REAL,
    PRIMARY KEY (portal_id, url)
);
CREATE TABLE IF NOT EXISTS bodies (
    sha256 TEXT PRIMARY KEY, size INTEGER, detected_type TEXT, first_url TEXT, first_portal TEXT, first_run TEXT
);
CREATE TABLE IF NOT EXISTS portals (
    portal_id TEXT PRIMARY KEY, column_urls TEXT, platforms TEXT, state TEXT, last_run TEXT, hosts TEXT
);
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY, https_broken INTEGER DEFAULT 0, challenged TEXT, last_run TEXT
);
CREATE TABLE IF NOT EXISTS robots (
    origin TEXT PRIMARY KEY, status INTEGER, body BLOB, fetched_at REAL
);
CREATE TABLE IF NOT EXISTS rendered_sources (
    portal_id TEXT NOT NULL, page_url TEXT NOT NULL, url TEXT NOT NULL, method TEXT NOT NULL, body TEXT NOT NULL,
    content_type TEXT, kind TEXT NOT NULL, run_id TEXT, meta TEXT,
    PRIMARY KEY (portal_id, page_url, url, method, body)
);
"""


class State:
    """Increment state, shared by all runs of one DATA_DIR (sqlite, one writer at a time)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        cols = {row[1] for row in self.db.execute("PRAGMA table_info(docs)")}
        if "checked_at" not in cols:  # state written by an earlier version
            self.db.execute("ALTER TABLE docs ADD COLUMN checked_at REAL")
        if "reports" not in {row[1] for row in self.db.execute("PRAGMA table_info(portals)")}:
            self.db.execute("ALTER TABLE portals ADD COLUMN reports INTEGER")  # the baseline of the drop flag
        if "walked_at" not in {row[1] for row in self.db.execute("PRAGMA table_info(portals)")}:
            self.db.execute("ALTER TABLE portals ADD COLUMN walked_at REAL")
        self._pending = 0
        self._last_commit = time.monotonic()
        self.db.execute("BEGIN")

    def _maybe_commit(self) -> None:
        self._pending += 1
        if self._pending >= 200 or time.monotonic() - self._last_commit > 5:
            self.commit()

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        self._pending = 0
        self._last_commit = time.monotonic()

    def close(self) -> None:
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError:
            pass
        self.db.close()

    def doc(self, portal_id: str, url: str) -> DocState | None:
        row = self.db.execute(
            "SELECT url, portal_id, role, sha256, size, detected_type, etag, last_modified, list_sig, state, status,"
            " first_run, last_run, checked_at FROM docs WHERE portal_id=? AND url=?", (portal_id, url)).fetchone()
        return DocState(*row) if row else None

    def record_doc(self, *, portal_id: str, url: str, role: str, sha256: str | None, size: int | None,
                   detected_type: str | None, etag: str | None, last_modified: str | None, list_sig: str | None,
                   state: str, status: int | None, run_id: str, link_title: str | None, listing_url: str | None,
                   parent_url: str | None) -> None:
        prev = self.doc(portal_id, url)
        if prev is not None and state == "not_modified":
            # Keep the body and validators of the earlier fetch; remember the new list signature.
            self.db.execute(
                "UPDATE docs SET last_run=?, list_sig=COALESCE(?, list_sig), state='ok', status=?,"
                " etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified), checked_at=?"
                " WHERE portal_id=? AND url=?",
                (run_id, list_sig, status, etag, last_modified, time.time(), portal_id, url))
        elif prev is not None and state not in ("ok", "not_modified") and prev.state == "ok" and prev.sha256:
            # A failed refetch must not make us forget the good body we have.
            self.db.execute("UPDATE docs SET last_run=?, status=? WHERE portal_id=? AND url=?",
                            (run_id, status, portal_id, url))
        else:
            self.db.execute(
                "INSERT INTO docs (portal_id, url, role, sha256, size, detected_type, etag, last_modified, list_sig,"
                " state, status, first_run, last_run, link_title, listing_url, parent_url, checked_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(portal_id, url) DO UPDATE SET role=excluded.role, sha256=excluded.sha256,"
                " size=excluded.size, detected_type=excluded.detected_type, etag=excluded.etag,"
                " last_modified=excluded.last_modified, list_sig=COALESCE(excluded.list_sig, docs.list_sig),"
                " state=excluded.state, status=excluded.status, last_run=excluded.last_run,"
                " link_title=COALESCE(excluded.link_title, docs.link_title),"
                " listing_url=COALESCE(excluded.listing_url, docs.listing_url),"
                " parent_url=COALESCE(excluded.parent_url, docs.parent_url), checked_at=excluded.checked_at",
                (portal_id, url, role, sha256, size, detected_type, etag, last_modified, list_sig, state, status,
                 run_id, run_id, link_title, listing_url, parent_url, time.time()))
        self._maybe_commit()

    def touch_doc(self, portal_id: str, url: str, run_id: str, list_sig: str | None = None) -> None:
        self.db.execute("UPDATE docs SET last_run=?, list_sig=COALESCE(?, list_sig) WHERE portal_id=? AND url=?",
                        (run_id, list_sig, portal_id, url))
        self._maybe_commit()

    def reopen_reports(self, keys: list[tuple[str, str]]) -> int:
        """Have the next crawl fetch these report pages again, unconditionally (list signature and validators
        forgotten; body and sha256 kept), so that their attachments are looked for again. For the pages of a
        crawl that did not finish (killed, or a full disk): an attachment it had not fetched yet would
        otherwise never be asked for, since an unchanged report page is not read again. Returns the rows
        changed. (flows/backlog.py calls this; docs/reliability.md.)"""
        n = 0
        for portal_id, url in keys:
            cur = self.db.execute(
                "UPDATE docs SET list_sig=NULL, etag=NULL, last_modified=NULL, checked_at=NULL"
                " WHERE portal_id=? AND url=? AND role='report'", (portal_id, url))
            n += max(cur.rowcount, 0)
        self.commit()
        return n

    def body_seen(self, sha256: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT first_url, first_portal FROM bodies WHERE sha256=?", (sha256,)).fetchone()
        return (row[0], row[1]) if row else None

    def record_body(self, sha256: str, size: int, detected_type: str, url: str, portal_id: str, run_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO bodies VALUES (?,?,?,?,?,?)",
                        (sha256, size, detected_type, url, portal_id, run_id))
        self._maybe_commit()

    def portal(self, portal_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT column_urls, platforms, state, last_run, hosts, walked_at, reports FROM portals"
                              " WHERE portal_id=?", (portal_id,)).fetchone()
        if not row:
            return None
        return {"column_urls": json.loads(row[0] or "[]"), "platforms": json.loads(row[1] or "[]"), "state": row[2],
                "last_run": row[3], "hosts": json.loads(row[4] or "[]"), "walked_at": row[5], "reports": row[6]}

    def record_portal(self, portal_id: str, column_urls: list[str], platforms: list[str], state: str, run_id: str,
                      hosts: list[str], walked: bool = False, reports: int | None = None) -> None:
        """The portal's outcome; `walked`: this run re-read its navigation and every list page (walk_days);
        `reports`: the count the next run compares with (None: keep the last one, as a run that did not read the
        column says nothing about it; crawlers/outcome.py)."""
        prev = self.portal(portal_id)
        if not column_urls and prev:  # keep the column found last time when discovery failed this time
            column_urls = prev["column_urls"]
        walked_at = time.time() if walked else (prev or {}).get("walked_at")
        if reports is None and prev:
            reports = prev["reports"]
        self.db.execute("INSERT OR REPLACE INTO portals (portal_id, column_urls, platforms, state, last_run, hosts,"
                        " walked_at, reports) VALUES (?,?,?,?,?,?,?,?)",
                        (portal_id, json.dumps(column_urls, ensure_ascii=False), json.dumps(platforms), state, run_id,
                         json.dumps(hosts), walked_at, reports))
        self._maybe_commit()

    def rendered_sources(self, portal_id: str, page_url: str) -> list[dict[str, Any]]:
        """Where a rendered page got its list from last time (list APIs, frame documents): crawlers/render.py."""
        rows = self.db.execute("SELECT url, method, body, content_type, kind, meta FROM rendered_sources"
                               " WHERE portal_id=? AND page_url=? ORDER BY url, body", (portal_id, page_url)).fetchall()
        return [{"url": r[0], "method": r[1], "body": r[2] or None, "content_type": r[3], "kind": r[4],
                 "meta": json.loads(r[5] or "{}")} for r in rows]

    def record_rendered_source(self, portal_id: str, page_url: str, url: str, method: str, body: str | None,
                               content_type: str | None, kind: str, run_id: str, meta: dict | None = None) -> None:
        """`kind`: api (an XHR a rendering saw), frame (a frame document), platform (the list API a platform file
        reached from a shell column page)."""
        self.db.execute("INSERT OR REPLACE INTO rendered_sources VALUES (?,?,?,?,?,?,?,?,?)",
                        (portal_id, page_url, url, method, body or "", content_type, kind, run_id,
                         json.dumps(meta or {}, ensure_ascii=False)))
        self._maybe_commit()

    def known_reports(self, portal_id: str) -> list[tuple[DocState, str | None, str | None]]:
        """The portal's report pages whose body is stored, with their link title and list page (for
        re-validation without reading every list page again)."""
        rows = self.db.execute(
            "SELECT url, portal_id, role, sha256, size, detected_type, etag, last_modified, list_sig, state, status,"
            " first_run, last_run, checked_at, link_title, listing_url FROM docs WHERE portal_id=? AND role='report'"
            " AND state IN ('ok', 'not_modified') AND sha256 IS NOT NULL ORDER BY url", (portal_id,)).fetchall()
        return [(DocState(*r[:14]), r[14], r[15]) for r in rows]

    def robots(self, origin: str, max_age: float) -> bytes | None:
        """The robots.txt body of `origin` fetched less than `max_age` seconds ago (b"" for "none there")."""
        row = self.db.execute("SELECT body, fetched_at FROM robots WHERE origin=?", (origin,)).fetchone()
        if row is None or time.time() - (row[1] or 0) > max_age:
            return None
        return bytes(row[0] or b"")

    def record_robots(self, origin: str, status: int, body: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO robots VALUES (?,?,?,?)", (origin, status, body, time.time()))
        self._maybe_commit()

    def https_broken(self, host: str) -> bool:
        row = self.db.execute("SELECT https_broken FROM hosts WHERE host=?", (host,)).fetchone()
        return bool(row and row[0])

    def record_host(self, host: str, run_id: str, https_broken: bool | None = None, challenged: str | None = None) -> None:
        self.db.execute("INSERT OR IGNORE INTO hosts (host, last_run) VALUES (?, ?)", (host, run_id))
        if https_broken is not None:
            self.db.execute("UPDATE hosts SET https_broken=?, last_run=? WHERE host=?", (int(https_broken), run_id, host))
        if challenged is not None:
            self.db.execute("UPDATE hosts SET challenged=?, last_run=? WHERE host=?", (challenged, run_id, host))
        self._maybe_commit()


class CrawlStore:
    """Everything one crawl run writes: raw bodies, the run's manifest and portal rows, the increment state."""

    def __init__(self, data_dir: Path, run_dir: Path, run_id: str, state_path: Path | None = None):
        self.data_dir = Path(data_dir)
        self.run_dir = Path(run_dir)
        self.run_id = run_id
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.raw = RawStore(layout.raw_dir(self.data_dir))
        # a crawl shard works on its own copy of its portals' state (crawlers/shards.py)
        self.state = State(Path(state_path) if state_path else layout.crawl_state_path(self.data_dir))
        self.manifest = JsonlWriter(self.run_dir / layout.MANIFEST_FILE)
        self.portals = JsonlWriter(self.run_dir / layout.PORTALS_FILE)
        self.rows = 0

    def write(self, item: Any) -> None:
        body = item.get("body")
        sha = item.get("sha256")
        if body is not None:
            digest, _new = self.raw.put(body)
            if digest != sha:  # pragma: no cover - the validate pipeline checks this first
                raise ValueError("sha256 mismatch")
            self.state.record_body(digest, len(body), item.get("detected_type") or "binary", item.get("key") or item["url"],
                                   item["portal_id"], self.run_id)
        self.manifest.write(ManifestRow.from_dict({k: item.get(k) for k in MANIFEST_FIELDS}).to_dict())
        self.rows += 1
        if item.get("method", "GET") == "GET":
            self.state.record_doc(
                portal_id=item["portal_id"], url=item.get("key") or item["url"], role=item["role"], sha256=sha,
                size=item.get("size"), detected_type=item.get("detected_type"), etag=item.get("etag"),
                last_modified=item.get("last_modified"), list_sig=item.get("list_sig"), state=item["state"],
                status=item.get("status"), run_id=self.run_id, link_title=item.get("link_title"),
                listing_url=item.get("listing_url"), parent_url=item.get("parent_url"))

    def write_portal(self, row: dict[str, Any]) -> None:
        self.portals.write(row)

    def close(self) -> None:
        self.manifest.close()
        self.portals.close()
        self.state.close()
