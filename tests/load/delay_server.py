"""A loopback HTTP server for the load tests: ``/ping/``, ``/sleep/MS/`` and ``/stall/``.

``/stall/`` answers at once except in a window of the server's life: a request arriving
from ``--stall-at`` seconds after the first ``/stall/`` request until ``--stall-for`` seconds
later is held until the window ends, as a server in a long pause would.

python -m tests.load.delay_server --port 8000 --stall-at 1 --stall-for 2
"""

from __future__ import annotations

import argparse
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_first: list[float] = []
_lock = threading.Lock()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stall-at", type=float, default=1.0)
    parser.add_argument("--stall-for", type=float, default=2.0)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = [p for p in self.path.split("/") if p]
            if parts[:1] == ["sleep"]:
                time.sleep(float(parts[1]) / 1000.0)
            elif parts[:1] == ["stall"]:
                with _lock:
                    first = _first[0] if _first else _first.append(time.time()) or _first[0]
                start, end = first + args.stall_at, first + args.stall_at + args.stall_for
                if start <= time.time() < end:
                    time.sleep(end - time.time())
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
