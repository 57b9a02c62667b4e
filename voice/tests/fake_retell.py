"""A local HTTP server that answers like Retell's API (tests never reach the internet).

It keeps the calls it placed as the SDK's own ``PhoneCallResponse`` objects, honours the
``idempotency_key`` of create-phone-call as Retell does (the same key answers the call already
placed and rings nobody), and answers get-call from what it holds. ``placed`` lists every call that
really rang someone.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from retell.types import PhoneCallResponse

CREATE = "/v2/create-phone-call"
GET = "/v2/get-call/"


def sdk_call(**fields) -> dict:
    """A Retell call object validated by the SDK's type, as JSON (what webhooks and get-call carry)."""
    base = {"agent_id": "agent_4e1b7a9c2d3f", "agent_version": 1, "call_type": "phone_call", "call_status": "registered",
            "direction": "outbound", "from_number": "+14155550100", "to_number": "+14155550142"}
    return PhoneCallResponse.model_validate({**base, **fields}).to_dict(mode="json")


class FakeRetell:
    """``reply``: when set, (status, body) answered to create-phone-call instead of placing a call.
    ``delay``: seconds to wait before answering create-phone-call (after placing the call, like a
    platform that acted but whose answer came too late)."""

    def __init__(self):
        self.requests = []
        self.calls = {}  # call_id -> call object (dict)
        self.keys = {}  # idempotency_key -> call_id
        self.placed = []
        self.reply = None
        self.delay = 0.0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self._record()
                if self.path != CREATE:
                    return self._answer(404, {"error_message": "Not found"})
                if fake.reply is not None:
                    return self._answer(*fake.reply)
                call = fake._create(body)
                time.sleep(fake.delay)
                self._answer(201, call)

            def do_GET(self):
                self._record()
                call = fake.calls.get(self.path[len(GET):]) if self.path.startswith(GET) else None
                if call is None:
                    return self._answer(404, {"error_message": "Call not found"})
                self._answer(200, call)

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                fake.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "json": body})
                return body

            def _answer(self, status, body):
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

    def _create(self, body):
        with self._lock:
            key = body.get("idempotency_key")
            if key and key in self.keys:
                return self.calls[self.keys[key]]
            call_id = f"call_fake_{len(self.calls) + 1:04d}"
            self.calls[call_id] = sdk_call(
                call_id=call_id, from_number=body["from_number"], to_number=body["to_number"],
                agent_id=body.get("override_agent_id") or "agent_default", metadata=body.get("metadata"),
                retell_llm_dynamic_variables=body.get("retell_llm_dynamic_variables"))
            if key:
                self.keys[key] = call_id
            self.placed.append(call_id)
            return self.calls[call_id]

    def finish(self, call_id, **fields):
        """The call as Retell reports it once it ended (validated by the SDK's type)."""
        self.calls[call_id] = sdk_call(**{**self.calls[call_id], "call_status": "ended", **fields})
        return self.calls[call_id]

    def creates(self):
        return [r for r in self.requests if r["path"] == CREATE]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
