"""`nianbao site`: the dataset as a static website, built from the published warehouse.

    build_site(data_dir, out_dir=None) -> SiteSummary     # DATA_DIR/site by default

    index.html              national trend, coverage by province, timeliness, reports that break identities
    region/<code>.html      a province, city or county: its divisions, its agencies and their reports by year
    agency/<agency_id>.html every figure by year with its labels, the verdict and its reasons, a chart, the links to
                            the source page, the document and the stored raw copy
    search/                 the prebuilt search index (script shards: works from file://)
    assets/                 site.css, site.js and plotly.min.js copied from the pinned `plotly` package (no CDN)
    raw/ab/<sha256>.<ext>   the stored raw documents of the reports shown (hard links into DATA_DIR/raw when the
                            site is on the same file system; HTML pages as .html.txt, so a portal's scripts never run
                            on the site's origin)

The site is written to a temporary folder beside the target and swapped in when complete, so a reader (or a web
server) never sees half a site. It reads the warehouse read-only, so it can run while a load is being published.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup

from core import layout
from core.errors import UserError

from .. import db
from ..agency_year import LEVELS_ZH
from . import charts, data, search

REGION_LEVELS = {"province": "省级", "city": "市级", "county": "县级"}
RAW_EXT = {"html": ".html.txt", "text": ".txt", "pdf": ".pdf", "docx": ".docx", "doc": ".doc", "wps": ".wps",
           "xls": ".xls", "xlsx": ".xlsx", "ofd": ".ofd", "odt": ".odt", "ods": ".ods", "rtf": ".rtf", "ppt": ".ppt",
           "zip": ".zip"}
IMAGE_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"GIF8", ".gif"), (b"BM", ".bmp"),
               (b"RIFF", ".webp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))


@dataclass
class SiteSummary:
    path: str
    index: str
    agencies: int
    regions: int
    pages: int
    search_entries: int
    search_shards: int
    raw_copies: int
    raw_missing: int
    bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("warehouse.site", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined)
    env.filters["num"] = format_number
    return env


def format_number(v: Any) -> str:
    """12345 → "12,345"; 2.485 → "2.485"; None → ""."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f == int(f) and abs(f) < 1e15:
        return f"{int(f):,}"
    return f"{f:,.4f}".rstrip("0").rstrip(".")


def _raw_ext(kind: str | None, path: Path) -> str:
    if kind == "image":
        with open(path, "rb") as fh:
            head = fh.read(8)
        return next((ext for magic, ext in IMAGE_MAGIC if head.startswith(magic)), ".bin")
    return RAW_EXT.get(kind or "", ".bin")


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(src, dst)


class RawCopies:
    """The raw documents the site links to, copied (hard-linked) once each."""

    def __init__(self, data_dir: Path, site: Path, enabled: bool):
        self.data_dir, self.site, self.enabled = data_dir, site, enabled
        self.done: dict[str, str] = {}
        self.copied = self.missing = 0

    def href(self, sha256: str, kind: str | None) -> str | None:
        if not self.enabled:
            return None
        if sha256 in self.done:
            return self.done[sha256]
        src = layout.raw_path(self.data_dir, sha256)
        if not src.is_file():
            self.missing += 1
            return None
        rel = f"raw/{sha256[:2]}/{sha256}{_raw_ext(kind, src)}"
        _link_or_copy(src, self.site / rel)
        self.done[sha256] = rel
        self.copied += 1
        return rel


def _mark(row: dict[str, Any], verified_known: bool) -> dict[str, str]:
    if row["status"] != "ok":
        return {"kind": "unread", "title": f"找到但未能读出：{row['status']} {row.get('reason') or ''}".strip()}
    if verified_known:
        good = bool(row.get("verified"))
        title = "已核验 verified" if good else f"未核验：{row.get('unverified_reasons') or ''}"
    else:
        good = not row.get("checks_failed")
        title = "恒等式全部成立" if good else f"恒等式不成立：{row.get('failed_rules') or ''}"
    return {"kind": "ok" if good else "bad", "title": title}


def _number_text(v: Any) -> str:
    """format_number for the figures tables, on the fast path (a national build formats ~100 million)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    f = float(v)
    if f.is_integer() and abs(f) < 1e15:
        return f"{int(f):,}"
    return f"{f:,.4f}".rstrip("0").rstrip(".")


def _cell_html(value: Any, raw_text: str | None) -> str:
    """One figure as a <td>: the number, or "—" for a figure the report does not print (the printed text on hover),
    never 0."""
    if value is None:
        printed = (raw_text or "").strip()
        title = f"未填报：印为“{html.escape(printed)}”" if printed else "未填报（空白）"
        return f'<td class="np" title="{title}">—</td>'
    text = _number_text(value)
    if raw_text is not None:
        printed = raw_text.strip()
        if printed and printed != text and printed != text.replace(",", ""):
            return f'<td title="原文 “{html.escape(printed)}”">{text}</td>'
    return f"<td>{text}</td>"  # right-aligned by the stylesheet: a class per cell would add ~25% to the page


NOT_IN_FORM = '<td class="na">·</td>'


class FigureTables:
    """The figure tables of an agency page, rendered straight to HTML: ~400 rows × years per agency is too many
    cells for a template engine on a national build. Labels are escaped once, here."""

    def __init__(self, dictionary: list[dict[str, Any]]):
        self.rows = []
        for d in dictionary:
            name = d["table_name"]
            if name == "apply":  # 189 rows: the 总计 column open, the applicant columns folded
                name = "apply" if d["cell_key"].endswith(".total") else "apply_by_applicant"
            label = html.escape(d["row_label"] or "")
            if d.get("group"):
                label = f'<span class="grp">{html.escape(d["group"])} › </span>{label}'
            col = html.escape(d["col_label"] or "") + (f"（{html.escape(d['unit'])}）" if d["unit"] else "")
            key = d["cell_key"]  # bold: the totals (row （七）总计 of table 3, the 总计 columns of table 4)
            is_total = key.startswith("apply.total.") or (d["table_name"] == "review" and key.endswith(".total"))
            total = ' class="total"' if is_total else ""
            head = (f'<tr data-key="{html.escape(d["cell_key"])}"{total}><td class="lab">{label}</td>'
                    f'<td class="col">{col}</td>')
            self.rows.append((name, d["cell_key"], frozenset((d["templates"] or "").split(",")), head))

    def render(self, cells: list[dict[str, Any]], years: list[int]) -> list[dict[str, Any]]:
        by_year: dict[int, dict[str, dict[str, Any]]] = {}
        templates: dict[int, str] = {}
        for c in cells:
            by_year.setdefault(c["report_year"], {})[c["cell_key"]] = c
            templates[c["report_year"]] = c["template"]
        forms = [templates.get(y) for y in years]
        year_cells = [by_year.get(y, {}) for y in years]
        out: dict[str, list[str]] = {}
        for name, key, in_forms, head in self.rows:
            if not any(f in in_forms for f in forms):
                continue
            parts = [head]
            for form, yc in zip(forms, year_cells):
                c = yc.get(key) if form in in_forms else None
                parts.append(NOT_IN_FORM if c is None else _cell_html(c["value"], c["raw_text"]))
            parts.append("</tr>")
            out.setdefault(name, []).append("".join(parts))
        order = list(data.TABLE_NAMES)
        return [{"name": name, "title": data.TABLE_NAMES.get(name, name), "closed": name == "apply_by_applicant",
                 "html": Markup("\n".join(rows_))}
                for name, rows_ in sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]


def _trend_series(rows: list[dict[str, Any]]) -> list[tuple[str, str, list[Any]]]:
    labels = data.headline_labels()
    return [(k, labels[k], [r.get(k) for r in rows]) for k in data.TREND]


class _Peek:
    """A grouped stream that can be asked for one key at a time, in key order."""

    def __init__(self, it):
        self.it, self.head = iter(it), None
        self._next()

    def _next(self):
        self.head = next(self.it, None)

    def take(self, key: str) -> list[dict[str, Any]]:
        while self.head is not None and self.head[0] < key:
            self._next()
        if self.head is not None and self.head[0] == key:
            rows = self.head[1]
            self._next()
            return rows
        return []


def build_site(data_dir: Path, out_dir: Path | None = None, *, raw: bool = True,
               progress: Callable[[str], None] | None = None, search_shards: int | None = None) -> SiteSummary:
    """Build the site from DATA_DIR's published warehouse into `out_dir` (default DATA_DIR/site)."""
    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    data_dir = Path(data_dir)
    published = layout.published_path(data_dir)
    if not published.exists():
        raise UserError(f"no warehouse at {published}; run nianbao load first")
    final = Path(out_dir) if out_dir is not None else layout.site_dir(data_dir)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.partial-{os.getpid()}")
    for stale in final.parent.glob(f".{final.name}.partial-*"):  # left by a crashed build
        shutil.rmtree(stale, ignore_errors=True)
    tmp.mkdir()
    try:
        summary = _build(data_dir, published, tmp, raw, say, search_shards)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
    summary.path = str(final)
    summary.index = str(final / "index.html")
    summary.seconds = round(time.perf_counter() - t0, 3)
    return summary


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = text.encode("utf-8")
    path.write_bytes(raw)
    return len(raw)


def _build(data_dir: Path, published: Path, site: Path, raw: bool, say: Callable[[str], None],
           search_shards: int | None) -> SiteSummary:
    env = _env()
    built = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    con = db.connect(published, read_only=True)
    try:
        say("reading the warehouse")
        ov = data.overview(con)
        regions = data.regions(con)
        figure_tables = FigureTables(data.dictionary(con))
        last_run = ov.runs[0]["run_id"] if ov.runs else None
        years_all = list(range(ov.counts["first_year"], ov.counts["last_year"] + 1)) if ov.counts["first_year"] else []
        common = {"built": built, "last_run": last_run, "levels": LEVELS_ZH, "verified_known": ov.verified_known}
        copies = RawCopies(data_dir, site, raw)

        # --- agencies (streamed in agency order) ---
        say("writing agency pages")
        agency_rows = con.execute("SELECT agency_id, name, level, region_code FROM agencies ORDER BY agency_id").fetchall()
        ay_stream, rep_stream, cell_stream = (_Peek(data.agency_years(con)), _Peek(data.agency_reports(con)),
                                              _Peek(data.agency_cells(con)))
        marks: dict[str, dict[int, dict[str, str]]] = {}
        region_stats: dict[str, dict[str, Any]] = {}
        entries: list[list[str]] = []
        agency_tpl = env.get_template("agency.html.j2")
        for i, (agency_id, name, level, region_code) in enumerate(agency_rows, 1):
            ay = ay_stream.take(agency_id)
            reps = rep_stream.take(agency_id)
            cells = cell_stream.take(agency_id)
            region = regions.get(region_code or "")
            path = (region.path + [(region.code, region.name)]) if region else []
            reports_by_year: dict[int | None, list[dict[str, Any]]] = {}
            for rep in reps:
                rep["raw"], rep["raw_missing"] = [], []
                for d in rep["documents"]:
                    label = ("网页源代码" if d["type"] == "html" else "网页") if d["role"] == "report" \
                        else f"附件 {d['type']}"
                    href = copies.href(d["sha256"], d["type"])
                    (rep["raw"] if href else rep["raw_missing"]).append(
                        {"href": href, "sha256": d["sha256"], "label": label})
                reports_by_year.setdefault(rep["report_year"], []).append(rep)
            years = []
            for row in ay:
                failed = [x.strip() for x in (row.get("failed_rules") or "").split(";") if x.strip()]
                reasons = [x.strip() for x in (row.get("unverified_reasons") or "").split(";") if x.strip()]
                years.append({"year": row["report_year"], "row": row, "failed": failed, "reasons": reasons,
                              "reports": reports_by_year.get(row["report_year"], [])})
            read = [row for row in ay if row["status"] == "ok"]
            figure_years = [row["report_year"] for row in read]
            fig = charts.figures_by_year("申请与办理结果 Applications and outcomes", figure_years,
                                         _trend_series(read)) if read else None
            agency = {"agency_id": agency_id, "name": name, "level": level}
            _write(site / "agency" / f"{agency_id}.html", agency_tpl.render(
                root="../", page_kind="agency", title=name, agency=agency, path=path, years=years, fig=fig,
                tables=figure_tables.render(cells, figure_years), figure_years=figure_years, **common))
            marks[agency_id] = {row["report_year"]: _mark(row, ov.verified_known) for row in ay}
            context = " ".join(n for _, n in path)
            entries.append(["a", name, context, f"agency/{agency_id}.html"])
            for code, _ in path:
                st = region_stats.setdefault(code, {"agencies": 0, "read": 0, "unread": 0, "apps": {}})
                st["agencies"] += 1
                for row in ay:
                    st["read" if row["status"] == "ok" else "unread"] += 1
                    if row["status"] == "ok" and row.get("applications_new") is not None:
                        y = st["apps"].setdefault(row["report_year"], [0, 0])
                        y[0] += row["applications_new"]
                        y[1] += 1
            if i % 500 == 0:
                say(f"writing agency pages ({i:,} of {len(agency_rows):,})")

        # --- regions ---
        say("writing region pages")
        region_tpl = env.get_template("region.html.j2")
        names = {a[0]: a[1] for a in agency_rows}
        for code, reg in regions.items():
            st = region_stats.get(code, {"agencies": 0, "read": 0, "unread": 0, "apps": {}})
            children = [{"code": c, "name": regions[c].name,
                         "agency_count": region_stats.get(c, {}).get("agencies", 0)} for c in reg.children]
            agencies = [{"agency_id": a["agency_id"], "name": names.get(a["agency_id"], a["name"]),
                         "level": a["level"], "marks": marks.get(a["agency_id"], {})} for a in reg.agencies]
            apps = st["apps"]
            fig = None
            if apps:
                ys = sorted(apps)
                fig = charts.figures_by_year("新收申请 Applications received", ys,
                                             [("applications_new", "新收申请", [apps[y][0] for y in ys])])
                fig["data"][0]["customdata"] = [apps[y][1] for y in ys]
                fig["data"][0]["hovertemplate"] = "%{x}: %{y:,}（%{customdata} 份报告 reports）<extra></extra>"
            _write(site / "region" / f"{code}.html", region_tpl.render(
                root="../", page_kind="region", title=reg.name, region=reg,
                level_label=REGION_LEVELS.get(reg.level, reg.level), stats=st, children=children,
                agencies=agencies, years=years_all, fig=fig, **common))
            parent = " ".join(n for _, n in reg.path)
            entries.append(["r", reg.name, parent, f"region/{code}.html"])

        # --- home ---
        say("writing the home page")
        labels = data.headline_labels()
        provinces = [{"code": c, "name": r.name, "agency_count": region_stats.get(c, {}).get("agencies", 0)}
                     for c, r in sorted(regions.items()) if r.level == "province"]
        _write(site / "index.html", env.get_template("index.html.j2").render(
            root="", page_kind="home", title="政府信息公开工作年度报告数据", ov=ov, c=ov.counts,
            trend_fig=charts.figures_by_year("全国合计 National totals", [t["report_year"] for t in ov.trend],
                                             _trend_series(ov.trend)),
            trend_labels=[(k, labels[k]) for k in data.TREND],
            coverage_fig=charts.coverage_by_province(ov.coverage),
            timeliness_fig=charts.timeliness_by_year(ov.timeliness), provinces=provinces, **common))
    finally:
        con.close()

    say("writing the search index and assets")
    manifest = search.write_index(site / "search", entries, search_shards)
    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    static = resources.files("warehouse.site").joinpath("static")
    for name in ("site.css", "site.js"):
        (assets / name).write_bytes(static.joinpath(name).read_bytes())
    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return SiteSummary(path="", index="", agencies=len(agency_rows), regions=len(regions),
                       pages=1 + len(agency_rows) + len(regions), search_entries=len(entries),
                       search_shards=int(manifest["shards"]), raw_copies=copies.copied, raw_missing=copies.missing,
                       bytes=size, seconds=0.0)


def plotly_js_path() -> Path:
    """plotly.min.js as shipped in the pinned `plotly` Python package (the version the figures are written for)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise UserError(f"plotly.min.js not found in the plotly package ({path}); reinstall with scripts/setup.sh")
    return path
