"""A tiny HTTP site on 127.0.0.1 whose every answer a test writes by hand (status, headers, body, no
Content-Length, redirects), for the faults the demo portal does not act out. Routes match the path with its query.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


def html(text: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, f"<html><head><meta charset='utf-8'><title>t</title></head><body>{text}</body></html>".encode(),
                 {"Content-Type": "text/html; charset=utf-8", **headers})


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": location})


class MiniSite:
    def __init__(self, routes: dict[str, Reply | Callable[[], Reply]] | None = None):
        self.routes: dict[str, Reply | Callable[[], Reply]] = dict(routes or {})
        self.log: list[tuple[float, str, str, int]] = []  # (time, method, path with query, status)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # noqa: D401 - quiet
                pass

            def do_GET(self):
                route = site.routes.get(self.path)
                if route is None:
                    route = site.routes.get(self.path.split("?")[0])
                reply = route() if callable(route) else route
                if reply is None:
                    reply = Reply(404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
                site.log.append((time.time(), "GET", self.path, reply.status))
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if reply.content_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(reply.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> MiniSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def requested(self, path: str) -> int:
        return sum(1 for _, _, p, _ in self.log if p == path)


def sources_for(path, portals: list[dict], **defaults) -> str:
    """A sources file for mini sites: tiny politeness, no robots.txt trouble (404 is allowed)."""
    import yaml

    doc = {"version": 1, "defaults": {"delay": 0.05, "jitter": 0.1, "retry_backoff": 0.05, "retry_times": 1,
                                      "timeout": 20, **defaults}, "portals": portals}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path
