"""Which errors a Prefect task may retry: network-type ones only.

A configuration error (a bad sources file, a missing data directory), a full disk or a bug gives the same
answer on the second try; retrying it only delays the one-line reason by minutes. Portals that are down are
not errors at all (they are portal states in the crawl's summary; the crawler retries each request itself).
"""
from __future__ import annotations

import errno

NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EHOSTUNREACH,
                  errno.ENETUNREACH, errno.ENETDOWN, errno.EPIPE}


def is_transient(exc: BaseException | None) -> bool:
    """A network-type error: worth another try after a pause."""
    if exc is None:
        return False
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, OSError) and exc.errno in NETWORK_ERRNOS:
        return True
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return True
    except ImportError:  # pragma: no cover - httpx comes with prefect
        pass
    return False


def retry_if_transient(task, task_run, state) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task run only for a network-type error."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # noqa: BLE001 - the result cannot be read: do not retry blindly
        return False
    return isinstance(exc, BaseException) and is_transient(exc)
