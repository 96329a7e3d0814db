"""Extraction results (the `ExtractResult.to_dict()` JSON contract) held compactly for loading.

Per-document metadata stays in Python; the cells and checks, which are ~200 and ~50 per document, go into
Arrow chunks as soon as they are read, so a national run (10 million cells) fits in memory and is inserted
into DuckDB from Arrow in one statement.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pyarrow as pa

try:  # 2-3x faster than json on the extraction file (installed with Prefect)
    from orjson import JSONDecodeError as _JSONDecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import JSONDecodeError as _JSONDecodeError
    from json import loads as _loads

from core.errors import UserError

KEY_TYPE = pa.dictionary(pa.int32(), pa.string())
CELL_SCHEMA = pa.schema(
    [
        ("doc_idx", pa.int32()),
        ("cell_key", KEY_TYPE),
        ("value", pa.float64()),
        ("raw_text", pa.string()),
        ("unit", pa.string()),
    ]
)
_PENDING_SCHEMA = pa.schema(
    [("doc_idx", pa.int32()), ("key_idx", pa.int32()), ("value", pa.float64()), ("raw_text", pa.string()),
     ("unit", pa.string())]
)
CHECK_SCHEMA = pa.schema(
    [("doc_idx", pa.int32()), ("rule", pa.string()), ("ok", pa.bool_()), ("detail", pa.string())]
)
META_FIELDS = (
    "source", "status", "reason", "template", "report_year", "agency", "published", "format", "layout",
    "title", "url", "sha256", "extractor_version",
)
_FLUSH_CELLS = 1_000_000


def _number(v: Any) -> float | None:
    """A cell value as a float; anything that is not a finite number becomes NULL."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    try:
        f = float(str(v).replace(",", "").strip())
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


class Results:
    """Extraction results, looked up by (url, sha256)."""

    def __init__(self) -> None:
        self.meta: list[dict[str, Any]] = []
        self._by_url_sha: dict[tuple[str | None, str | None], int] = {}
        self._by_sha: dict[str, int] = {}
        self._by_url_nosha: dict[str, int] = {}
        self._cell_batches: list[pa.RecordBatch] = []
        self._check_batches: list[pa.RecordBatch] = []
        # Cell keys are stored as indices into one dictionary; a document's key list is usually the same
        # as the previous one's (the template's keys in order), so its index array is reused.
        self.keys: list[str] = []
        self._key_pos: dict[str, int] = {}
        self._layouts: dict[tuple[str, ...], np.ndarray] = {}
        self._reset_pending()

    def _reset_pending(self) -> None:
        self._n_pending = 0
        self._c_docs: list[int] = []
        self._c_counts: list[int] = []
        self._c_keyidx: list[np.ndarray] = []
        self._c_val: list[Any] = []
        self._c_raw: list[Any] = []
        self._c_unit: list[Any] = []
        self._k_idx: list[int] = []
        self._k_rule: list[str] = []
        self._k_ok: list[Any] = []
        self._k_detail: list[Any] = []

    def __len__(self) -> int:
        return len(self.meta)

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def from_jsonl(cls, path: Path, on_line=None) -> "Results":
        out = cls()
        with open(path, "rb") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = _loads(line)
                except _JSONDecodeError as exc:
                    raise UserError(f"{path}:{lineno}: not valid JSON ({str(exc).splitlines()[0]})") from None
                if not isinstance(obj, dict):
                    raise UserError(f"{path}:{lineno}: expected one JSON object per line")
                out.add(obj)
                if on_line is not None:
                    on_line(len(line))
        return out

    def add(self, result: dict[str, Any]) -> int:
        idx = len(self.meta)
        cells = result.get("cells") or {}
        raw = result.get("raw") or {}
        units = result.get("units") or {}
        checks = result.get("checks") or []
        meta = {k: result.get(k) for k in META_FIELDS}
        values = list(cells.values())
        meta["cells_total"] = len(values)
        meta["cells_count"] = len(values) - values.count(None)
        meta["checks_total"] = len(checks)
        meta["checks_failed"] = sum(1 for c in checks if isinstance(c, dict) and c.get("ok") is False)
        self.meta.append(meta)

        if values:
            keys = tuple(cells)
            n = len(keys)
            self._c_docs.append(idx)
            self._c_counts.append(n)
            self._c_keyidx.append(self._layout(keys))
            self._c_val.extend(values)
            if raw and len(raw) == n and tuple(raw) == keys:
                self._c_raw.extend(raw.values())
            else:
                self._c_raw.extend([raw.get(k) for k in keys] if raw else [None] * n)
            self._c_unit.extend([units.get(k) for k in keys] if units else [None] * n)
            self._n_pending += n
        for c in checks:
            if not isinstance(c, dict) or c.get("rule") is None:
                continue
            self._k_idx.append(idx)
            self._k_rule.append(str(c.get("rule")))
            ok = c.get("ok")
            self._k_ok.append(ok if isinstance(ok, bool) else None)
            self._k_detail.append(_text(c.get("detail")))
        if self._n_pending >= _FLUSH_CELLS:
            self._flush()

        url, sha = meta.get("url"), meta.get("sha256")
        self._by_url_sha[(url, sha)] = idx
        if sha:
            self._by_sha[sha] = idx
        elif url:
            self._by_url_nosha[url] = idx
        return idx

    def _layout(self, keys: tuple[str, ...]) -> np.ndarray:
        arr = self._layouts.get(keys)
        if arr is None:
            pos = []
            for k in keys:
                p = self._key_pos.get(k)
                if p is None:
                    p = self._key_pos[k] = len(self.keys)
                    self.keys.append(k if isinstance(k, str) else str(k))
                pos.append(p)
            arr = np.asarray(pos, dtype=np.int32)
            if len(self._layouts) < 10_000:
                self._layouts[keys] = arr
        return arr

    def _flush(self) -> None:
        if self._n_pending:
            try:
                values = pa.array(self._c_val, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                values = pa.array([_number(v) for v in self._c_val], pa.float64())
            else:
                if values.null_count < len(values):  # NaN / inf are not values
                    import pyarrow.compute as pc

                    bad = pc.invert(pc.is_finite(values))
                    if pc.any(bad).as_py():
                        values = pc.if_else(bad, pa.scalar(None, pa.float64()), values)
            try:
                raw = pa.array(self._c_raw, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                raw = pa.array([_text(v) for v in self._c_raw], pa.string())
            try:
                unit = pa.array(self._c_unit, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                unit = pa.array([_text(v) for v in self._c_unit], pa.string())
            doc_idx = np.repeat(np.asarray(self._c_docs, dtype=np.int32), np.asarray(self._c_counts))
            key_idx = np.concatenate(self._c_keyidx)
            self._cell_batches.append(
                pa.RecordBatch.from_arrays(
                    [pa.array(doc_idx), pa.array(key_idx), values, raw, unit], schema=_PENDING_SCHEMA
                )
            )
        if self._k_idx:
            self._check_batches.append(
                pa.RecordBatch.from_arrays(
                    [
                        pa.array(self._k_idx, pa.int32()),
                        pa.array(self._k_rule, pa.string()),
                        pa.array(self._k_ok, pa.bool_()),
                        pa.array(self._k_detail, pa.string()),
                    ],
                    schema=CHECK_SCHEMA,
                )
            )
        self._reset_pending()

    # -- lookup --------------------------------------------------------------------------
    def find(self, urls: Iterable[str | None], sha256: str | None) -> int | None:
        """The result for a document fetched from one of `urls` with body `sha256`.

        The same bytes give the same result, so a result with the same sha256 under another URL counts; a
        result for a URL with another sha256 is for another version of the page and does not.
        """
        urls = [u for u in urls if u]
        for u in urls:
            idx = self._by_url_sha.get((u, sha256))
            if idx is not None:
                return idx
        if sha256:
            idx = self._by_sha.get(sha256)
            if idx is not None:
                return idx
        for u in urls:
            idx = self._by_url_nosha.get(u)
            if idx is not None:
                return idx
        return None

    def result(self, idx: int):
        """The result's metadata as a typed row (warehouse.assemble.ResultMeta)."""
        from .assemble import ResultMeta

        m = self.meta[idx]
        return ResultMeta(**{k: m.get(k) for k in ResultMeta.__dataclass_fields__})

    def cells_table(self) -> pa.Table:
        """doc_idx, cell_key (dictionary-encoded: DuckDB ingests it faster), value, raw_text, unit."""
        self._flush()
        dictionary = pa.array(self.keys, pa.string())
        batches = [
            pa.RecordBatch.from_arrays(
                [b.column(0), pa.DictionaryArray.from_arrays(b.column(1), dictionary), b.column(2), b.column(3),
                 b.column(4)],
                schema=CELL_SCHEMA,
            )
            for b in self._cell_batches
        ]
        return pa.Table.from_batches(batches, schema=CELL_SCHEMA)

    def checks_table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self._check_batches, schema=CHECK_SCHEMA)
