"""A local HTTP mirror for download tests: real bytes, real hashes, a slow link on demand."""

from __future__ import annotations

import http.server
import threading
import time


class FileServer:
    """Serves ``files`` (name -> bytes) on 127.0.0.1 in 16 KiB chunks; records each request."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.delay = 0.0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name not in server.files:
                    self.send_error(404)
                    return
                data = server.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                for start in range(0, len(data), 16384):
                    self.wfile.write(data[start : start + 16384])
                    self.wfile.flush()
                    if server.delay:
                        time.sleep(server.delay)  # the server thread only: a slow link

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.handle_error = lambda *args: None  # a client that hangs up mid-file is expected
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
