"""HTTP serving for the demo portal: one threaded server per site, a request log, conditional GET.

A site's content is a :class:`SiteContent`: static :class:`Resource` objects by path plus dynamic handlers
(for the Hanweb dataproxy, the gkmlpt JSON API, download scripts).  The content object can be swapped
while the server runs (``Portal.mutate``).
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit



def free_port_base(n: int, host: str = "127.0.0.1", start: int = 20000, end: int = 60000) -> int:
    """A port p with p .. p+n-1 all free on `host` (for tests, benchmarks and demos that want fixed URLs)."""
    import random

    for _ in range(200):
        base = random.randrange(start, end - n)
        socks = []
        try:
            for i in range(n):
                sock = socket.socket()
                socks.append(sock)
                sock.bind((host, base + i))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free port range")

class LogEntry(NamedTuple):
    """One request seen by a site (a tuple, so it also unpacks as (site_id, method, path, timestamp, status, headers))."""

    site_id: str
    method: str
    path: str  # path with query string, as requested
    timestamp: float  # time.time() when the request arrived
    status: int
    headers: dict  # request headers (last value wins for repeated names)


@dataclass
class Resource:
    """A fixed answer for one path (query strings are ignored, as a static web server does)."""

    body: bytes | Callable[[], bytes]
    content_type: str
    status: int = 200
    headers: dict = field(default_factory=dict)
    mtime: float | None = None  # set: Last-Modified + ETag, and conditional GET answers 304
    behaviour: str | None = None  # None | "slow" | "fail_once"

    _cache: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def data(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        with self._lock:
            if self._cache is None:
                self._cache = self.body()
            return self._cache


@dataclass
class Request:
    method: str
    path: str  # unquoted path, no query
    raw_path: str  # as sent
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


Handler = Callable[[Request], "Response | Resource | None"]


@dataclass
class SiteContent:
    routes: dict[str, Resource] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)  # exact path -> handler
    not_found: Callable[[str], bytes] | None = None
    server_header: str = "nginx"
    host_challenge: Resource | None = None  # when set, every path answers this (whole-host WAF)


class SiteServer:
    """One site on its own port."""

    def __init__(self, site_id: str, content: SiteContent, log: list, log_lock: threading.Lock,
                 host: str = "127.0.0.1", port: int = 0, slow_seconds: float = 2.0):
        self.site_id = site_id
        self.content = content
        self.slow_seconds = slow_seconds
        self._log = log
        self._log_lock = log_lock
        self._failed_once: set[str] = set()
        self._state_lock = threading.Lock()
        self._conns: set = set()
        outer = self

        class _H(_RequestHandler):
            site = outer

        self.httpd = ThreadingHTTPServer((host, port), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = host
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name=f"demoportal-{site_id}", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()
        with self._state_lock:
            conns = list(self._conns)
        for c in conns:  # persistent connections of clients must not outlive the server
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=5)

    def track(self, conn, alive: bool) -> None:
        with self._state_lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    def record(self, method: str, path: str, ts: float, status: int, headers: dict) -> None:
        with self._log_lock:
            self._log.append(LogEntry(self.site_id, method, path, ts, status, headers))

    def first_failure(self, path: str) -> bool:
        with self._state_lock:
            if path in self._failed_once:
                return False
            self._failed_once.add(path)
            return True


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def etag_for(mtime: float, body: bytes) -> str:
    # nginx style: "<mtime hex>-<length hex>"
    return '"%x-%x"' % (int(mtime), len(body))


def _not_modified(req_headers, etag: str, mtime: float) -> bool:
    inm = req_headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or ("W/" + etag) in tags
    ims = req_headers.get("If-Modified-Since")
    if ims:
        try:
            dt = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if dt is None:
            return False
        return int(mtime) <= int(dt.timestamp())
    return False


_NGINX_404 = (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
              b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
_NGINX_503 = (b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
              b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n"
              b"</body>\r\n</html>\r\n")


class _RequestHandler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 - silence stderr logging
        pass

    def setup(self):
        super().setup()
        self.site.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.site.track(self.connection, False)

    def version_string(self) -> str:
        return self.site.content.server_header

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_POST(self):
        self._serve("POST")

    def _send(self, method: str, status: int, content_type: str | None, body: bytes, headers: dict) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            if isinstance(v, (list, tuple)):
                for item in v:
                    self.send_header(k, item)
            else:
                self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self._record(status)  # before the client can see the answer, so that the log never lags behind it
        self.end_headers()
        if method != "HEAD" and status != 304:
            self.wfile.write(body)

    def _record(self, status: int) -> None:
        if not self._recorded:
            self._recorded = True
            self.site.record(self._req[0], self._req[1], self._req[2], status, self._req[3])

    def _serve(self, method: str) -> None:
        ts = time.time()
        site = self.site
        content = site.content
        req_headers = {k: v for k, v in self.headers.items()}
        raw_path = self.path
        self._req, self._recorded = (method, raw_path, ts, req_headers), False
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        status = 500
        try:
            form: dict[str, str] = {}
            if method == "POST":
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
                except ValueError:
                    form = {}
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}

            if content.host_challenge is not None:
                res = content.host_challenge
                status = res.status
                self._send(method, res.status, res.content_type, res.data(), dict(res.headers))
                return

            handler = content.handlers.get(path)
            res = None
            if handler is not None:
                resp = handler(Request(method, path, raw_path, query, form, req_headers))
                if isinstance(resp, Resource):
                    res = resp
                elif resp is not None:
                    status = resp.status
                    self._send(method, resp.status, resp.content_type, resp.body, dict(resp.headers))
                    return

            if res is None:
                res = content.routes.get(path)
            if res is None and method in ("GET", "HEAD", "POST"):
                status = 404
                body = content.not_found(path) if content.not_found else _NGINX_404
                self._send(method, 404, "text/html; charset=utf-8", body, {})
                return
            if method == "POST" and res.status == 200:
                status = 405
                self._send(method, 405, "text/html", b"<html><body><h1>405 Not Allowed</h1></body></html>",
                           {"Allow": "GET, HEAD"})
                return

            if res.behaviour == "fail_once" and site.first_failure(path):
                status = 503
                self._send(method, 503, "text/html", _NGINX_503, {"Retry-After": "1"})
                return
            if res.behaviour == "slow":
                time.sleep(site.slow_seconds)

            body = res.data()
            headers = dict(res.headers)
            if res.mtime is not None and res.status == 200:
                etag = etag_for(res.mtime, body)
                headers["Last-Modified"] = http_date(res.mtime)
                headers["ETag"] = etag
                headers.setdefault("Accept-Ranges", "bytes")
                if method in ("GET", "HEAD") and _not_modified(self.headers, etag, res.mtime):
                    status = 304
                    self._send(method, 304, None, b"", headers)
                    return
            status = res.status
            self._send(method, res.status, res.content_type, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self._record(status)
