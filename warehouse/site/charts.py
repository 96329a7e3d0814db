"""Plotly figures (the JSON that Plotly.newPlot takes: data + layout) for the site's charts.

The figures are plain dicts in Plotly's schema, built here and drawn in the browser by plotly.min.js, which the
site copies from the pinned `plotly` package (no CDN). Building dicts instead of plotly.graph_objects keeps a national
build (one chart per agency) fast; tests check that each figure is valid for plotly.graph_objects.Figure.
"""
from __future__ import annotations

from typing import Any

FONT = {"family": "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif", "size": 13}
COLORS = {"applications_new": "#1f5fa8", "granted": "#2a9d55", "partly_granted": "#9ccf6b", "denied": "#d1495b",
          "applications_answered": "#7a7a7a", "on_time": "#2a9d55", "late": "#d1495b", "extracted": "#1f5fa8",
          "unread": "#f0a202", "missing": "#d9d9d9"}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": FONT, "margin": {"l": 60, "r": 50, "t": 70, "b": 40}, "height": 380,
        # the legend above the plot, right-aligned: below it, it would spill over what follows the chart
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "xaxis": {"type": "category", "gridcolor": "#eeeeee"}, "yaxis": {"gridcolor": "#eeeeee", "rangemode": "tozero"},
    }
    layout.update(extra)
    return layout


def figures_by_year(title: str, years: list[int], series: list[tuple[str, str, list[Any]]]) -> dict[str, Any]:
    """Grouped bars per year: series = (key, label, values; None where the figure is not printed)."""
    data = [{"type": "bar", "name": label, "x": [str(y) for y in years], "y": values,
             "marker": {"color": COLORS.get(key, "#555555")},
             "hovertemplate": f"{label} %{{x}}: %{{y:,}}<extra></extra>"}
            for key, label, values in series]
    return {"data": data, "layout": _layout(title, barmode="group")}


def coverage_by_province(rows: list[dict[str, Any]]) -> dict[str, Any]:
    provinces = [r["province"] for r in rows]
    parts = (("extracted", "已读出数字", "extracted"), ("unread", "找到但未能读出", "unread"),
             ("missing", "未找到", "missing"))
    data = [{"type": "bar", "orientation": "h", "name": label, "y": provinces, "x": [r[col] for r in rows],
             "marker": {"color": COLORS[key]}, "hovertemplate": f"%{{y}} {label}: %{{x}}<extra></extra>"}
            for key, label, col in parts]
    height = max(260, 110 + 26 * len(provinces))
    fig = {"data": data, "layout": _layout("各省覆盖：机构×年度 Coverage (agency-years)", barmode="stack",
                                            height=height, xaxis={"gridcolor": "#eeeeee"},
                                            yaxis={"type": "category", "autorange": "reversed"},
                                            margin={"l": 110, "r": 20, "t": 70, "b": 40})}
    fig["layout"]["legend"]["traceorder"] = "normal"  # stacked bars list their legend backwards otherwise
    return fig


def timeliness_by_year(rows: list[dict[str, Any]]) -> dict[str, Any]:
    years = [str(r["report_year"]) for r in rows]
    data = [
        {"type": "bar", "name": "按时 on time", "x": years, "y": [r["on_time"] for r in rows],
         "marker": {"color": COLORS["on_time"]}},
        {"type": "bar", "name": "逾期 late", "x": years, "y": [r["late"] for r in rows],
         "marker": {"color": COLORS["late"]}},
        {"type": "scatter", "mode": "lines+markers+text", "name": "按时比例 share on time", "x": years,
         "y": [None if r["share"] is None else round(100 * r["share"], 1) for r in rows], "yaxis": "y2",
         "text": ["" if r["share"] is None else f"{100 * r['share']:.0f}%" for r in rows],
         "textposition": "top center", "line": {"color": "#333333"}},
    ]
    return {"data": data, "layout": _layout(
        "按法定期限发布 Published by the legal deadline", barmode="stack",
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 112], "tickvals": [0, 25, 50, 75, 100],
                "ticksuffix": "%", "showgrid": False})}
