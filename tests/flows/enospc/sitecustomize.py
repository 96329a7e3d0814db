"""A simulated full disk, for machines where a test cannot mount a small tmpfs (not root).

Put this folder first on PYTHONPATH and set NIANBAO_TEST_ENOSPC_DIR (a folder) and NIANBAO_TEST_ENOSPC_BYTES:
every Python file opened for writing under that folder (`open`, `io.open`, `os.fdopen`, `pathlib`) counts its
bytes, and a write past the budget raises `OSError(ENOSPC)` as a full disk would. The budget is per process.
Writes made by C libraries (SQLite, DuckDB) are not covered: the real tmpfs test covers them.
"""
from __future__ import annotations

import builtins
import errno
import io
import os

_DIR = os.environ.get("NIANBAO_TEST_ENOSPC_DIR")
_BUDGET = int(os.environ.get("NIANBAO_TEST_ENOSPC_BYTES") or 0)

if _DIR:
    _DIR = os.path.abspath(_DIR)
    _real_open = io.open
    _used = [0]

    class _Limited:
        def __init__(self, f):
            self._f = f

        def write(self, data):
            n = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
            if _used[0] + n > _BUDGET:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            _used[0] += n
            return self._f.write(data)

        def writelines(self, lines):
            for line in lines:
                self.write(line)

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __iter__(self):
            return iter(self._f)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

    def _open(file, mode="r", *args, **kwargs):
        f = _real_open(file, mode, *args, **kwargs)
        if any(c in mode for c in "wax+"):
            try:
                path = os.readlink(f"/proc/self/fd/{file}") if isinstance(file, int) else os.fspath(file)
            except (OSError, TypeError):
                return f
            if os.path.abspath(path).startswith(_DIR + os.sep):
                return _Limited(f)
        return f

    io.open = builtins.open = _open
