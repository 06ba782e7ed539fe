"""A real HTTP receiver on loopback for the webhook tests, verifying signatures as docs/api.md says."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as in docs/api.md (written independently of oversight.webhooks.signing)."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, part.split(",", 1)[1])
        for part in headers["webhook-signature"].split()
        if part.startswith("v1,")
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with ``statuses`` in turn (the last one repeats), after ``delay`` seconds."""

    url: str
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    location: str = ""
    received: list[Received] = field(default_factory=list)

    def answer(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@contextmanager
def receiver(path: str = "/hook", **settings) -> Iterator[Receiver]:
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            found = state["receiver"]
            found.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if found.delay:
                time.sleep(found.delay)
            status = found.answer()
            self.send_response(status)
            if found.location:
                self.send_header("location", found.location)
            self.send_header("content-length", "2")
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout)
                self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}{path}", **settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
