"""The worker's log server: the try logs under ``logging.base_log_folder`` over HTTP.

``GET /log?path=<relative path>&offset=<bytes>`` with the header ``X-Tradewind-Token`` (see
``broker_config.log_client``): 403 without a valid token for that path, 404 for a missing file,
otherwise the bytes from ``offset`` on and ``X-Log-Next-Offset``. Paths cannot leave the log
folder. It listens on ``worker.log_server_port`` (8793); when that port is taken (several
workers on one machine) it falls back to a free port, and the worker row's ``log_server_url``
says which.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from broker_config.log_client import HEADER, verify_log_request

log = logging.getLogger(__name__)


class LogServer:
    def __init__(self, *, base_log_folder: str, secret_key: str, host: str, port: int) -> None:
        self.base = Path(base_log_folder).resolve()
        self.secret_key = secret_key
        handler = _handler(self)
        try:
            self.httpd = ThreadingHTTPServer((host, port), handler)
        except OSError:
            log.warning("log server port %s is taken; using a free port", port)
            self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="tradewind-log-server", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def resolve(self, relpath: str) -> Path | None:
        target = (self.base / relpath).resolve()
        if target != self.base and self.base not in target.parents:
            return None
        return target


def _handler(server: LogServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            log.debug("log server: " + format, *args)

        def do_GET(self) -> None:  # noqa: N802
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            relpath = (query.get("path") or [""])[0]
            token = self.headers.get(HEADER, "")
            if parts.path != "/log" or not relpath:
                self._reply(404, b"not found\n")
                return
            if not verify_log_request(server.secret_key, token, relpath):
                self._reply(403, b"forbidden: a signed request is required\n")
                return
            target = server.resolve(relpath)
            if target is None or not target.is_file():
                self._reply(404, b"no such log\n")
                return
            try:
                offset = max(0, int((query.get("offset") or ["0"])[0]))
            except ValueError:
                offset = 0
            with open(target, "rb") as handle:
                handle.seek(offset)
                body = handle.read()
            self._reply(200, body, next_offset=offset + len(body))

        def _reply(self, code: int, body: bytes, next_offset: int | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if next_offset is not None:
                self.send_header("X-Log-Next-Offset", str(next_offset))
            self.end_headers()
            self.wfile.write(body)

    return Handler
