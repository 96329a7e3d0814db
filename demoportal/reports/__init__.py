"""Synthetic but realistic 政府信息公开工作年度报告 pages.

A deterministic renderer of report pages the way Chinese government portals publish them (TRS, Hanweb, Guangdong
gkmlpt, generic CMS, bare Word export), with the layout quirks real reports show (see ``shared/spec/template.md``,
section "What real reports do to these tables"). Used by the golden corpus builder (``tests/golden/build_html.py``)
and by the demo portal at run time. Standard library only.

A package cut along the module's former section banners: template (the format), regions, truth, variants
(options and value formatting), tables, narrative, chrome (the whole page), negative (non-report documents),
encoding (bytes). Everything is importable from ``demoportal.reports`` as before.

Public API
----------
- :func:`load_cell_keys` – canonical keys per template, from ``core/data/cells.csv``.
- :func:`random_truth` – a truth dict in the seed truth format, with every key of the template.
- :func:`render_report_html` – a complete HTML page showing a truth; variants as keyword switches.
- :func:`encode_page` – bytes in utf-8 / gbk / gb18030 with a given (possibly wrong or missing) charset declaration.

Helpers: :func:`make_document` (adjusts a truth for the variants, e.g. null markers and units, then renders),
:func:`check_identities`, :func:`render_special_page` (negative documents: guide, news, legacy report,
attachment-only, image-only), :data:`VARIANTS`, :data:`STYLES`.
"""
from __future__ import annotations

from .chrome import _site_name, make_document, render_report_html
from .encoding import encode_page
from .narrative import _cn_date, _contact, _narrative, report_title
from .negative import render_special_page
from .regions import region_for_agency
from .tables import _active_rows, _apply_rows, _review_rows
from .template import APPLICANTS, _result_rows, load_cell_keys
from .truth import _rng, check_identities, random_truth
from .variants import SPECIAL_KINDS, STYLES, VARIANTS, _Fmt, _Opts

__all__ = [
    "VARIANTS",
    "STYLES",
    "SPECIAL_KINDS",
    "load_cell_keys",
    "random_truth",
    "render_report_html",
    "make_document",
    "encode_page",
    "check_identities",
    "render_special_page",
    "region_for_agency",
    "report_title",
]
# Also importable here, for the golden-file builders (tests/golden/) and the demo portal's chain.py, which build
# on the renderer's internals: APPLICANTS, _result_rows, _rng, _Fmt, _Opts, _active_rows, _apply_rows,
# _review_rows, _narrative, _contact, _cn_date, _site_name.
