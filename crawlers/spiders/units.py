"""Following a county's 部门信息公开 / 乡镇信息公开 directories to each unit's sub-site (crawlers/subsites.py).

A directory link found on one of the county's own pages is fetched as a navigation page marked `nb_unit_dir`;
on it, every link that names a unit and stays on the portal's site is fetched as that unit's home
(`nb_unit`, navigation depth starting again from 0), where discovery looks for the unit's 年报 column as it does
for the county's. A directory page without any unit link (drawn by script) is rendered. Counts:
`unit_directories`, `subsites`, `subsites_capped`.
"""
from __future__ import annotations

from typing import Any

from ..page import Link, Page
from ..subsites import MAX_UNITS, is_unit_directory, is_unit_name


class UnitsMixin:
    def follow_units(self, ctx: Any, page: Page, links: list[Link], meta: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        if meta.get("nb_unit_dir"):
            units = [link for link in links if not link.in_chrome and link.url != page.url and is_unit_name(link.text)]
            for link in units:
                if not self.nav_allowed(ctx, link.url):
                    continue
                if ctx.counts["subsites"] >= MAX_UNITS:
                    ctx.counts["subsites_capped"] += 1
                    break
                r = self.req(ctx, link.url, "column", title=link.text, listing=page.url, depth=0,
                             meta={"nb_unit": link.text}, conditional=True)
                if r is not None:
                    ctx.counts["subsites"] += 1
                    out.append(r)
            if not units and not meta.get("nb_render"):
                # a directory drawn by script (or in a frame): render it (crawlers/render.py)
                r = self.render_request(ctx, page.url, "column", "no unit link in the directory",
                                        meta={"nb_unit_dir": True}, listing=meta.get("nb_listing"),
                                        title=meta.get("nb_title"))
                if r is not None:
                    out.append(r)
            return out
        if meta.get("nb_unit"):
            return out  # a unit's own pages: its directories are not the county's
        for link in links:
            if link.url != page.url and is_unit_directory(link.text) and self.nav_allowed(ctx, link.url):
                r = self.req(ctx, link.url, "column", title=link.text, listing=page.url,
                             depth=meta.get("nb_depth", 0) + 1, meta={"nb_unit_dir": True}, conditional=True)
                if r is not None:
                    ctx.counts["unit_directories"] += 1
                    out.append(r)
        return out
