"""Earlier crawl runs that no published load has used: a night that was interrupted is finished by the next.

The crawler marks a URL as fetched in its state (state/crawl.sqlite) as soon as its body is stored, and the
next incremental crawl does not ask for it again. So when a night stops after the crawl stored bodies but
before a load published them (SIGKILL or SIGTERM during crawl, extract or load, a full disk, a power cut),
those bodies would never reach the warehouse. The nightly flow therefore loads, before the run it just
crawled, every earlier run directory whose run id is not in the published warehouse's `runs` table as a
load: oldest first, each extracted (the extraction cache makes that cheap) and loaded on its own.

Nothing is loaded twice: documents and reports are keyed by portal and URL, a document older than the
warehouse's copy is kept as it is (warehouse.ingest), and a run counts as used only when a load that
recorded it was published (or found nothing new in it and holds its bookkeeping for the next publishing load,
warehouse/unpublished.py). docs/reliability.md explains the choice against the alternative (a crawl state
that marks a URL done only once it is published).

There is one more hole, in the crawl state rather than the warehouse: an attachment is looked for only when
its report page is fetched with a body (an unchanged page is not read again). A crawl that did not finish
(killed, stopped, or short of disk) may have stored a report page and not yet its attachment, which holds the
tables. `reopen_incomplete` therefore has the crawler forget the list signature and validators of every report
page such a run stored (crawlers.store.State.reopen_reports), once per run (a `crawl.checked` marker in the
run directory): the next crawl fetches those pages again and asks for the attachments it does not have.

A run killed while writing may end in a torn line (a full disk, a kill in the middle of a long row).
`seal` keeps the lines that parse and moves the rest to `<file>.torn` beside it, so the loader can read
the run and nothing is silently thrown away.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import layout

SEALED_FILES = (layout.MANIFEST_FILE, layout.PORTALS_FILE)
CHECKED_MARK = "crawl.checked"  # in a run directory: reopen_incomplete has looked at this run


@dataclass
class PendingRun:
    """An earlier run directory that no published load has used."""

    run_id: str
    run_dir: str
    started_at: str | None
    finished: bool  # the crawl ran to its end (run.json says finish_reason "finished")
    finish_reason: str | None = None  # as the crawl wrote it; None: killed before it could
    torn_lines: dict[str, int] = field(default_factory=dict)  # file -> lines moved to <file>.torn by `seal`

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def loaded_run_ids(data_dir: Path) -> set[str] | None:
    """Run ids of every load in the published warehouse, and of the loads that brought nothing new and wait
    beside it for the next publishing load (warehouse/unpublished.py: their data is in the warehouse already);
    None when there is no warehouse yet."""
    path = layout.published_path(data_dir)
    if not path.exists():
        return None
    import duckdb

    from warehouse import unpublished

    con = duckdb.connect(str(path), read_only=True, config={"autoload_known_extensions": False,
                                                              "autoinstall_known_extensions": False})
    try:
        loaded = {r[0] for r in con.execute("SELECT run_id FROM runs WHERE kind = 'load'").fetchall()}
    finally:
        con.close()
    return loaded | {str(row["run"]["run_id"]) for row in unpublished.read(data_dir)
                     if isinstance(row.get("run"), dict) and row["run"].get("run_id")}


def _run_info(run_dir: Path) -> dict[str, Any]:
    try:
        info = json.loads((run_dir / layout.RUN_FILE).read_text(encoding="utf-8"))
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


def pending_runs(data_dir: Path, exclude: set[str] | None = None) -> list[PendingRun]:
    """Run directories with a manifest whose run no published load has used, oldest first."""
    runs = layout.runs_dir(data_dir)
    if not runs.is_dir():
        return []
    loaded = loaded_run_ids(data_dir) or set()
    out = []
    for run_dir in runs.iterdir():
        if not run_dir.is_dir() or not layout.is_run_dir(run_dir):  # a manifest of its own or in a crawl shard
            continue
        info = _run_info(run_dir)
        run_id = str(info.get("run_id") or run_dir.name)
        if run_id in loaded or run_dir.name in loaded or run_id in (exclude or set()) \
                or run_dir.name in (exclude or set()):
            continue
        out.append(PendingRun(run_id=run_id, run_dir=str(run_dir), started_at=info.get("started_at"),
                              finished=info.get("finish_reason") == "finished",
                              finish_reason=info.get("finish_reason")))
    out.sort(key=lambda r: (r.started_at or "", r.run_id))
    return out


def seal_file(path: Path) -> int:
    """Keep the lines of a JSON Lines file that parse as objects; move the others to `<name>.torn`.
    Returns the number of lines moved (0: the file is left untouched)."""
    if not path.is_file():
        return 0
    raw = path.read_bytes()
    good: list[bytes] = []
    bad: list[bytes] = []
    for line in raw.splitlines(keepends=True):
        if not line.strip():
            continue
        try:
            ok = line.endswith(b"\n") and isinstance(json.loads(line), dict)
        except ValueError:
            ok = False
        (good if ok else bad).append(line)
    if not bad:
        return 0
    with open(path.with_name(path.name + ".torn"), "ab") as fh:
        for line in bad:
            fh.write(line if line.endswith(b"\n") else line + b"\n")
    tmp = path.with_name(path.name + f".sealing{os.getpid()}")
    tmp.write_bytes(b"".join(good))
    os.replace(tmp, path)
    return len(bad)


def seal(run: PendingRun) -> PendingRun:
    """Make an interrupted run directory loadable (see the module's docstring); marks run.json."""
    run_dir = Path(run.run_dir)
    for name in SEALED_FILES:
        for path in layout.run_files(run_dir, name):  # the run's own, and each crawl shard's
            n = seal_file(path)
            if n:
                run.torn_lines[path.relative_to(run_dir).as_posix()] = n
    if run.finish_reason is None:
        info = _run_info(run_dir)
        info.setdefault("run_id", run.run_id)
        info["finish_reason"] = "interrupted"
        info.setdefault("finished_at", None)
        info["recovered"] = True
        tmp = run_dir / (layout.RUN_FILE + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, run_dir / layout.RUN_FILE)
        run.finish_reason = "interrupted"
    return run


def reopen_incomplete(data_dir: Path) -> list[dict[str, Any]]:
    """Report pages of every crawl that did not finish are fetched again by the next crawl (see the module's
    docstring). Each run directory is looked at once. Returns [{run_id, pages}] of the runs reopened."""
    from core.records import DOCUMENT_STATES
    from crawlers.run import load_summary
    from crawlers.store import State

    runs = layout.runs_dir(data_dir)
    state_path = layout.crawl_state_path(data_dir)
    if not runs.is_dir():
        return []
    todo: list[tuple[Path, str, set[tuple[str, str]]]] = []
    for run_dir in sorted(runs.iterdir()):
        mark = run_dir / CHECKED_MARK
        if not run_dir.is_dir() or mark.exists() or not layout.is_run_dir(run_dir):
            continue
        if load_summary(run_dir).ok:
            mark.write_text("complete\n", encoding="utf-8")
            continue
        keys: set[tuple[str, str]] = set()
        rows = (row for path in layout.run_files(run_dir, layout.MANIFEST_FILE) for row in read_jsonl_lenient(path))
        for row in rows:
            if row.get("role") == "report" and row.get("state") in DOCUMENT_STATES and row.get("sha256"):
                for url in {row.get("url"), row.get("final_url")} - {None, ""}:
                    keys.add((str(row.get("portal_id")), str(url)))
        todo.append((run_dir, str(_run_info(run_dir).get("run_id") or run_dir.name), keys))
    if not todo:
        return []
    out = []
    state = State(state_path) if state_path.exists() else None
    try:
        for run_dir, run_id, keys in todo:
            n = state.reopen_reports(sorted(keys)) if state is not None else 0
            (run_dir / CHECKED_MARK).write_text(f"reopened {n} report pages\n", encoding="utf-8")
            out.append({"run_id": run_id, "pages": n})
    finally:
        if state is not None:
            state.close()
    return out


def read_jsonl_lenient(path: Path):
    """The objects of a JSON Lines file, skipping lines that do not parse (a torn last line)."""
    try:
        fh = open(path, "rb")
    except OSError:
        return
    with fh:
        for line in fh:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj
