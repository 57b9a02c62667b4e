"""A local HTTP server standing in for Retell's API (tests never reach the internet)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RetellStub:
    """A local HTTP server standing in for Retell's API: records each request, answers ``reply``
    (status, JSON body) after ``delay`` seconds."""

    def __init__(self):
        self.requests = []
        self.reply = (201, {"call_id": "call_stub_0001", "call_status": "registered"})
        self.delay = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                stub.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "json": json.loads(self.rfile.read(length) or b"null")})
                time.sleep(stub.delay)
                status, body = stub.reply
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    return

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for the next poll: the default 0.5 s on every test's teardown adds up.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
