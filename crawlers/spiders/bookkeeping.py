"""End-of-run bookkeeping: per-portal counts, the portal's state and its summary row, run.json and stats.json."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

from core import layout
from core.records import PortalRecord

from ..outcome import BASELINE_STATES, portal_state, sharp_drop, state_reason
from ..store import utcnow
from .context import PortalRun

logger = logging.getLogger(__name__)


class BookkeepingMixin:
    """Counting what was fetched, and writing each portal's outcome when nothing is left to fetch for it."""

    # --- counts ----------------------------------------------------------------------------
    def _count_report(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> bool:
        """Count a fetched report; True when its body is new or changed (so its attachments are checked too)."""
        prev_sha = meta.get("nb_prev_sha")
        self._note_body(ctx, meta, sha)
        if meta.get("nb_new") and not prev_sha:
            ctx.counts["new"] += 1
            return True
        if prev_sha != sha:
            ctx.counts["changed"] += 1
            return True
        ctx.counts["unchanged"] += 1
        return False

    def _count_attachment(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> None:
        self._note_body(ctx, meta, sha)
        ctx.counts["attachments"] += 1
        if meta.get("nb_new"):
            ctx.counts["new_attachments"] += 1

    def _note_body(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> None:
        if not sha:
            return
        url = meta["nb_url"]
        first = self.bodies_this_run.get(sha)
        if first is None:
            seen = self.state.body_seen(sha)
            first = seen[0] if seen else None
        if first is not None and first != url:
            ctx.counts["duplicate_bodies"] += 1
        self.bodies_this_run.setdefault(sha, url)


    # --- the end --------------------------------------------------------------------------------------------
    def portal_state(self, ctx: PortalRun) -> str:
        return portal_state(challenged=bool(ctx.challenged), column_found=ctx.column_found, home_ok=ctx.home_ok,
                            has_column_urls=bool(ctx.portal.column_urls), home_error=ctx.home_error,
                            reports=len(ctx.reports),
                            failures=ctx.counts["errors"] + ctx.counts["challenged"] + ctx.counts["too_large"]
                            + len(ctx.caps))

    def portal_reason(self, ctx: PortalRun, state: str) -> str | None:
        """One line saying why a portal is not `ok` (None when it is)."""
        c = ctx.counts
        if state == "ok":
            return None
        if state == "challenged":
            hosts = ", ".join(sorted(ctx.challenge_hits)) or ", ".join(sorted(ctx.hosts))
            return f"{ctx.challenged} challenge (anti-bot wall) on {hosts}"
        if state in ("unreachable", "blocked"):
            return ctx.home_error or "the home page could not be fetched"
        if state in ("no_column", "empty_column"):  # with the first error: e.g. why rendering could not run
            return state_reason(state, column_urls=ctx.column_urls, errors=ctx.errors, home_error=ctx.home_error)
        if state == "interrupted":
            return "the crawl stopped before the portal was done"
        parts = []
        if c["errors"]:
            parts.append(f"{c['errors']} failed fetches (first: {ctx.errors[0] if ctx.errors else 'see the manifest'})")
        if c["challenged"]:
            parts.append(f"{c['challenged']} challenged pages")
        if c["too_large"]:
            parts.append(f"{c['too_large']} bodies over max_size")
        parts.extend(ctx.caps)
        return "; ".join(parts) or ctx.home_error or None

    def summary_row(self, ctx: PortalRun) -> dict[str, Any]:
        p = ctx.portal
        c = ctx.counts
        counts = {
            "pages": c["pages"], "reports": len(ctx.reports), "new": c["new"], "changed": c["changed"],
            "unchanged": c["unchanged"], "attachments": c["attachments"], "new_attachments": c["new_attachments"],
            "errors": c["errors"], "not_found": c["not_found"], "challenged": c["challenged"],
            "deleted": c["deleted"], "not_modified": c["not_modified"], "decoys": c["decoys"],
            "duplicate_urls": c["duplicate_urls"], "duplicate_bodies": c["duplicate_bodies"],
            "robots_blocked": c["robots_blocked"], "known_dead": c["known_dead"],
            "rechecked": c["rechecked"], "too_large": c["too_large"], "truncated": c["truncated"],
            "list_pages": ctx.list_pages, "requests": c["requests"], "entries": c["entries"],
            "excluded": c["excluded"], "unranked": c["unranked"], "capped": c["capped"],
            "javascript_skipped": c["javascript_skipped"], "walked": int(ctx.walk),
            "pages_skipped": c["pages_skipped"], "rendered": c["rendered"],
        }
        for k, v in sorted(c.items()):
            counts.setdefault(k, v)
        previous = (self.state.portal(p.id) or {}).get("reports")
        if previous is not None:
            counts["previous_reports"] = previous
            # only a full walk reads every list page: between walks the count is partial by design
            if ctx.walk and sharp_drop(previous, counts["reports"]):
                counts["reports_drop"] = previous - counts["reports"]
        state = self.portal_state(ctx)
        return PortalRecord(
            id=p.id, name=p.name, url=p.url, platform=p.platform, region_code=p.region_code,
            state=state, counts=counts, column_urls=list(ctx.column_urls),
            platforms_detected=sorted(ctx.platforms), error=self.portal_reason(ctx, state),
            province=p.province, city=p.city, run_id=self.run_id, started_at=ctx.started_at,
            finished_at=ctx.finished_at,
        ).to_dict()

    def finalize(self, ctx: PortalRun, interrupted: bool = False) -> None:
        if ctx.finished:
            return
        ctx.finished = True
        ctx.finished_at = utcnow()
        row = self.summary_row(ctx)
        if interrupted and row["state"] in ("ok", "partial", "no_column", "empty_column", "unreachable"):
            row["state"] = "interrupted"
            row["counts"].pop("reports_drop", None)
            row["error"] = self.portal_reason(ctx, "interrupted")
        self.store.write_portal(row)
        self.state.record_portal(ctx.portal.id, ctx.column_urls, sorted(ctx.platforms), row["state"], self.run_id,
                                 sorted(ctx.hosts), walked=ctx.walk and ctx.column_found and not interrupted,
                                 reports=row["counts"]["reports"] if ctx.walk and row["state"] in BASELINE_STATES
                                 else None)
        logger.info("portal %s finished: %s, %d pages, %d reports (%d new), %d attachments, %d errors",
                    ctx.portal.id, row["state"], row["counts"]["pages"], row["counts"]["reports"],
                    row["counts"]["new"], row["counts"]["attachments"], row["counts"]["errors"])

    def _spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        for ctx in self.portals.values():
            if not ctx.finished:
                self.finalize(ctx, interrupted=reason != "finished" or ctx.pending > 0)
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        run_json = self.run_dir / layout.RUN_FILE
        try:
            run = json.loads(run_json.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run = {}
        run.update({
            "run_id": self.run_id, "crawl_started_at": self.started_at, "finished_at": utcnow(),
            "elapsed_seconds": round(time.monotonic() - self.t0, 3), "finish_reason": reason,
            "sources_file": str(self.sources_path), "data_dir": str(self.data_dir),
            "full": self.full, "portals": len(self.portals), "manifest_rows": self.store.rows,
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
        })
        run.setdefault("started_at", self.started_at)
        run.setdefault("sources", str(self.sources_path))
        run.setdefault("options", self.options)
        run_json.write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        (self.run_dir / layout.STATS_FILE).write_text(json.dumps(stats, ensure_ascii=False, indent=2, default=str),
                                                 encoding="utf-8")
        self.store.close()


