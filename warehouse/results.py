"""Extraction results as the loader reads them: the columnar files beside the JSON Lines (core/columnar.py).

Per-document metadata (one row per result) is read into Python for the assembly; the cells and checks stay in
their Parquet files, which DuckDB reads itself (`INSERT … SELECT … FROM read_parquet(…)`), so no cell passes
through Python. A JSON Lines file without fresh columnar files (written by hand, or by an older extract stage) is
converted first, once.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import pyarrow.parquet as pq

try:  # 2-3x faster than json on the extraction file (installed with Prefect)
    from orjson import JSONDecodeError as _JSONDecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import JSONDecodeError as _JSONDecodeError
    from json import loads as _loads

from core import columnar
from core.errors import UserError
from core.layout import columnar_paths

from .assemble import ResultMeta

_META_FIELDS = tuple(ResultMeta.__dataclass_fields__)


class ColumnarResults:
    """Extraction results looked up by (url, sha256); cells and checks as Parquet paths."""

    def __init__(self, paths: dict[str, Path], workdir: tempfile.TemporaryDirectory | None = None):
        self.paths = paths
        self._workdir = workdir  # a conversion's temporary folder, removed with this object
        table = pq.ParquetFile(paths["docs"]).read()  # (read_table would import pyarrow.dataset and pandas)
        names = [n for n in _META_FIELDS if n in table.column_names]
        cols = {n: table.column(n).to_pylist() for n in names}
        self.metas = [ResultMeta(**{n: cols[n][i] for n in names}) for i in range(table.num_rows)]
        self.cells = int(sum(m.cells_total for m in self.metas))
        self._by_url_sha: dict[tuple[str | None, str | None], int] = {}
        self._by_sha: dict[str, int] = {}
        self._by_url_nosha: dict[str, int] = {}
        for idx, m in enumerate(self.metas):
            self._by_url_sha[(m.url, m.sha256)] = idx
            if m.sha256:
                self._by_sha[m.sha256] = idx
            elif m.url:
                self._by_url_nosha[m.url] = idx

    def __len__(self) -> int:
        return len(self.metas)

    def result(self, idx: int) -> ResultMeta:
        return self.metas[idx]

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

    def close(self) -> None:
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    # -- making them -------------------------------------------------------------------------
    @classmethod
    def for_jsonl(cls, path: Path, scratch: Path | None = None) -> "ColumnarResults":
        """The results of a JSON Lines file, through its columnar files (converted first when missing or stale).

        A conversion is written beside the file when its folder is writable (the next load reuses it), else in a
        temporary folder under `scratch`.
        """
        path = Path(path)
        if not columnar.is_fresh(path):
            if os.access(path.parent, os.W_OK):
                convert_jsonl(path, path)
            else:
                tmp = tempfile.TemporaryDirectory(prefix="columnar-", dir=scratch)
                target = Path(tmp.name) / path.name
                convert_jsonl(path, target)
                return cls(columnar_paths(target), tmp)
        return cls(columnar_paths(path))

    @classmethod
    def from_dicts(cls, results: Iterable[dict[str, Any]], scratch: Path | None = None) -> "ColumnarResults":
        """Results held in memory (re-extraction), written to columnar files in a temporary folder."""
        tmp = tempfile.TemporaryDirectory(prefix="columnar-", dir=scratch)
        target = Path(tmp.name) / "results.jsonl"
        columnar.write_columnar(results, target)
        return cls(columnar_paths(target), tmp)


def read_jsonl(path: Path):
    """The JSON objects of an extraction results file; a bad line is a UserError naming it."""
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
            yield obj


def convert_jsonl(path: Path, target: Path) -> int:
    """Write the columnar files of the JSON Lines file `path` beside `target` (stamped with `path`'s size and
    mtime, so they count as fresh for it)."""
    stat = Path(path).stat()
    return columnar.write_columnar(read_jsonl(path), target, source_stat=stat)
