"""Extraction results in columns: what the extract stage hands the loader beside the JSON Lines.

The JSON Lines file (one `ExtractResult.to_dict()` per line) stays the public contract. Beside it, three Parquet
files (names from `core.layout.columnar_paths`) hold the same results in the form a database bulk-loads:

- `docs`    one row per result, in file order (`doc_idx` 0, 1, …): every field of ExtractResult except cells, units,
            raw and checks, plus `cells_total` (known keys present), `cells_count` (their non-null values), `checks_total`,
            `checks_failed` and `unknown_keys` (keys that are not in cells.csv for the result's template).
- `cells`   doc_idx, cell_id (core.cells.cell_ids: the cells.csv row; NULL for an unknown key), cell_key, value
            (DOUBLE; NULL = not printed / not reported), raw_text, unit. `raw_text` is NULL where the printed text
            is exactly the digits of a whole count (the common "0", "12"): readers put the digits back
            (`raw_text(value, stored)`); every other text is kept as printed.
- `checks`  doc_idx, rule, ok, detail; a result with unknown keys gets a failed `contract.unknown_cell_keys`
            check, so they are never dropped silently.

The docs file's key-value metadata records the format version, the digest of cells.csv the ids index, and the
size and mtime of the JSON Lines file they were made from; `is_fresh()` compares them, so a JSON Lines file
edited or replaced by hand is never loaded through stale columns.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .cells import all_specs, cell_ids, cells_digest, is_money
from .layout import columnar_paths
from .records import ExtractResult

FORMAT_VERSION = "1"
BIG_FIELDS = ("cells", "units", "raw", "checks")
_META_KEY = b"nianbao.columnar"
_FLUSH_CELLS = 1 << 20
UNKNOWN_KEYS_RULE = "contract.unknown_cell_keys"

CELL_SCHEMA = pa.schema([
    ("doc_idx", pa.int32()), ("cell_id", pa.int16()), ("cell_key", pa.dictionary(pa.int32(), pa.string())),
    ("value", pa.float64()), ("raw_text", pa.string()), ("unit", pa.string()),
])
CHECK_SCHEMA = pa.schema([("doc_idx", pa.int32()), ("rule", pa.string()), ("ok", pa.bool_()),
                          ("detail", pa.string())])
_ANNOTATION_TYPES = {
    "str": pa.string(), "str | None": pa.string(), "int | None": pa.int32(), "int": pa.int32(),
    "bool | None": pa.bool_(), "bool": pa.bool_(), "float | None": pa.float64(), "float": pa.float64(),
    "list[str]": pa.list_(pa.string()),
}
COUNT_FIELDS = ("cells_total", "cells_count", "checks_total", "checks_failed")


def doc_fields() -> dict[str, pa.DataType]:
    """The docs file's columns: ExtractResult's small fields (typed from their annotations; anything else as
    JSON text), then the counts."""
    out: dict[str, pa.DataType] = {"doc_idx": pa.int32()}
    for f in fields(ExtractResult):
        if f.name not in BIG_FIELDS:
            out[f.name] = _ANNOTATION_TYPES.get(str(f.type), pa.string())
    for name in COUNT_FIELDS:
        out[name] = pa.int32()
    out["unknown_keys"] = pa.list_(pa.string())
    return out


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


def _field_value(v: Any, t: pa.DataType) -> Any:
    if v is None:
        return None
    if t == pa.string():
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    if t == pa.list_(pa.string()):
        return [_text(x) for x in v] if isinstance(v, (list, tuple)) else [_text(v)]
    if t == pa.int32():
        try:
            return int(v) if not isinstance(v, bool) else None
        except (TypeError, ValueError):
            return None
    if t == pa.float64():
        return _number(v)
    if t == pa.bool_():
        return v if isinstance(v, bool) else None
    return v


def raw_text(value: float | int | None, stored: str | None) -> str | None:
    """The printed text of a cell from its stored form (see the module docstring)."""
    if stored is not None or value is None:
        return stored
    return str(int(value))


class ColumnarWriter:
    """Streams extraction results into the three Parquet files (written under temporary names, renamed by
    `close()`, so a crash leaves no half file that looks complete)."""

    def __init__(self, results_path: Path, source_stat: os.stat_result | None = None):
        self.paths = columnar_paths(results_path)
        self.tmp = {k: p.with_name(p.name + f".tmp{os.getpid()}") for k, p in self.paths.items()}
        self.source_stat = source_stat
        self.doc_types = doc_fields()
        self.docs: dict[str, list[Any]] = {k: [] for k in self.doc_types}
        self.ids = cell_ids()
        money = {(s.template, s.key) for s in all_specs() if is_money(s)}
        self._money_ids = np.zeros(len(self.ids) + 1, dtype=bool)
        for k in money:
            self._money_ids[self.ids[k]] = True
        self.keys: list[str] = []
        self._key_pos: dict[str, int] = {}
        self._layouts: dict[tuple[str | None, tuple[str, ...]], tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._cells = pq.ParquetWriter(self.tmp["cells"], CELL_SCHEMA, compression="snappy")
        self._checks = pq.ParquetWriter(self.tmp["checks"], CHECK_SCHEMA, compression="snappy")
        self.n = 0
        self.n_cells = 0
        self._reset()

    def _reset(self) -> None:
        self._pending = 0
        self._c_doc: list[int] = []
        self._c_count: list[int] = []
        self._c_ids: list[np.ndarray] = []
        self._c_keys: list[np.ndarray] = []
        self._c_val: list[Any] = []
        self._c_raw: list[Any] = []
        self._c_unit: list[Any] = []
        self._k_doc: list[int] = []
        self._k_rule: list[str] = []
        self._k_ok: list[Any] = []
        self._k_detail: list[Any] = []

    def _layout(self, template: str | None, keys: tuple[str, ...]):
        """(cell ids with -1 for unknown keys, key dictionary positions, unknown keys) of a key list, cached: most
        results list their template's keys in the same order."""
        hit = self._layouts.get((template, keys))
        if hit is None:
            ids, pos, unknown = [], [], []
            for k in keys:
                k = k if isinstance(k, str) else str(k)
                i = self.ids.get((template or "", k))
                ids.append(-1 if i is None else i)
                if i is None:
                    unknown.append(k)
                p = self._key_pos.get(k)
                if p is None:
                    p = self._key_pos[k] = len(self.keys)
                    self.keys.append(k)
                pos.append(p)
            hit = (np.asarray(ids, dtype=np.int16), np.asarray(pos, dtype=np.int32), unknown)
            if len(self._layouts) < 10_000:
                self._layouts[(template, keys)] = hit
        return hit

    def add(self, result: dict[str, Any]) -> int:
        idx = self.n
        self.n += 1
        cells = result.get("cells") or {}
        raw = result.get("raw") or {}
        units = result.get("units") or {}
        checks = [c for c in (result.get("checks") or []) if isinstance(c, dict) and c.get("rule") is not None]
        values = list(cells.values())
        unknown: list[str] = []
        ids = None
        if values:
            keys = tuple(cells)
            ids, pos, unknown = self._layout(_text(result.get("template")), keys)
            n = len(keys)
            self._c_doc.append(idx)
            self._c_count.append(n)
            self._c_ids.append(ids)
            self._c_keys.append(pos)
            self._c_val.extend(values)
            if raw and len(raw) == n and tuple(raw) == keys:
                self._c_raw.extend(raw.values())
            else:
                self._c_raw.extend([raw.get(k) for k in keys] if raw else [None] * n)
            self._c_unit.extend([units.get(k) for k in keys] if units else [None] * n)
            self._pending += n
            self.n_cells += n
        if unknown:
            checks = checks + [{"rule": UNKNOWN_KEYS_RULE, "ok": False,
                                "detail": "not in cells.csv for template "
                                          f"{result.get('template')}: " + ", ".join(unknown[:10])}]
        for c in checks:
            self._k_doc.append(idx)
            self._k_rule.append(str(c["rule"]))
            ok = c.get("ok")
            self._k_ok.append(ok if isinstance(ok, bool) else None)
            self._k_detail.append(_text(c.get("detail")))
        for name, t in self.doc_types.items():
            if name in ("doc_idx", "unknown_keys") or name in COUNT_FIELDS:
                continue
            self.docs[name].append(_field_value(result.get(name), t))
        self.docs["doc_idx"].append(idx)
        if unknown:  # counted as stored: cells of unknown keys are not
            known = [v for v, i in zip(values, ids) if i >= 0]
        else:
            known = values
        self.docs["cells_total"].append(len(known))
        self.docs["cells_count"].append(len(known) - sum(1 for v in known if v is None))
        self.docs["checks_total"].append(len(checks))
        self.docs["checks_failed"].append(sum(1 for c in checks if c.get("ok") is False))
        self.docs["unknown_keys"].append(unknown)
        if self._pending >= _FLUSH_CELLS:
            self._flush()
        return idx

    def _flush(self) -> None:
        if self._pending:
            try:
                values = pa.array(self._c_val, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
                values = pa.array([_number(v) for v in self._c_val], pa.float64())
            else:
                if values.null_count < len(values) and pc.any(pc.invert(pc.is_finite(values))).as_py():
                    values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))
            try:
                raw = pa.array(self._c_raw, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                raw = pa.array([_text(v) for v in self._c_raw], pa.string())
            try:
                unit = pa.array(self._c_unit, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                unit = pa.array([_text(v) for v in self._c_unit], pa.string())
            ids = np.concatenate(self._c_ids)
            # raw_text elided where it is exactly a whole count's digits (values are stored, so nothing is lost)
            v = values.to_numpy(zero_copy_only=False)
            whole = np.isfinite(v) & (np.abs(v) < 2**53)
            whole[whole] = np.floor(v[whole]) == v[whole]
            whole &= ~self._money_ids[np.maximum(ids, 0)] & (ids > 0)
            if whole.any():
                digits = pc.cast(pa.array(np.where(whole, v, 0).astype(np.int64)), pa.string())
                elide = pc.and_(pa.array(whole), pc.fill_null(pc.equal(raw, digits), False))
                raw = pc.if_else(elide, pa.scalar(None, pa.string()), raw)
            doc = np.repeat(np.asarray(self._c_doc, dtype=np.int32), np.asarray(self._c_count))
            keys = pa.DictionaryArray.from_arrays(pa.array(np.concatenate(self._c_keys)), pa.array(self.keys, pa.string()))
            self._cells.write_batch(pa.RecordBatch.from_arrays(
                [pa.array(doc), pa.array(ids, mask=ids < 0), keys, values, raw, unit], schema=CELL_SCHEMA))
        if self._k_doc:
            self._checks.write_batch(pa.RecordBatch.from_arrays(
                [pa.array(self._k_doc, pa.int32()), pa.array(self._k_rule, pa.string()),
                 pa.array(self._k_ok, pa.bool_()), pa.array(self._k_detail, pa.string())], schema=CHECK_SCHEMA))
        self._reset()

    def close(self) -> int:
        """Write the docs file, finish the others, and rename all three into place. Returns the result count."""
        self._flush()
        self._cells.close()
        self._checks.close()
        table = pa.table({k: pa.array(v, self.doc_types[k]) for k, v in self.docs.items()})
        meta = {"format": FORMAT_VERSION, "cells_digest": cells_digest(), "results": self.n, "cells": self.n_cells}
        if self.source_stat is not None:
            meta["source_size"] = self.source_stat.st_size
            meta["source_mtime_ns"] = self.source_stat.st_mtime_ns
        table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
        pq.write_table(table, self.tmp["docs"], compression="snappy")
        # docs last: a reader that finds a fresh docs file finds the other two complete
        for part in ("cells", "checks", "docs"):
            os.replace(self.tmp[part], self.paths[part])
        return self.n

    def abort(self) -> None:
        for w in (self._cells, self._checks):
            try:
                w.close()
            except Exception:  # noqa: BLE001 - cleaning up after another error
                pass
        for p in self.tmp.values():
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def write_columnar(results: Iterable[dict[str, Any]], results_path: Path,
                   source_stat: os.stat_result | None = None) -> int:
    """Write the columnar files of `results` beside `results_path`; returns the number of results."""
    w = ColumnarWriter(results_path, source_stat)
    try:
        for r in results:
            w.add(r)
        return w.close()
    except BaseException:
        w.abort()
        raise


def metadata(results_path: Path) -> dict[str, Any] | None:
    """The docs file's metadata, or None when there is no readable docs file."""
    path = columnar_paths(results_path)["docs"]
    try:
        raw = pq.ParquetFile(path).schema_arrow.metadata or {}
    except (OSError, pa.ArrowInvalid):
        return None
    try:
        return json.loads(raw.get(_META_KEY, b"{}"))
    except ValueError:
        return None


def is_fresh(results_path: Path) -> bool:
    """True when the columnar files exist and were made from the JSON Lines file as it is now, with this
    cells.csv and format."""
    meta = metadata(results_path)
    if not meta or meta.get("format") != FORMAT_VERSION or meta.get("cells_digest") != cells_digest():
        return False
    if not all(p.is_file() for p in columnar_paths(results_path).values()):
        return False
    try:
        st = Path(results_path).stat()
    except OSError:
        return False
    return meta.get("source_size") == st.st_size and meta.get("source_mtime_ns") == st.st_mtime_ns
