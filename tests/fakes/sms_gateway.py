"""A fake SMS gateway: a real threaded HTTP server on 127.0.0.1, for tests and benchmarks.

    POST /send   X-API-Key: <key>   Idempotency-Key: <key>   {"to": "+98...", "message": "..."}

Configurable (attributes, change them any time): latency (seconds per request),
failure_rate (share answered 500), timeout_rate (share accepted but answered only
after `hang` seconds, so the client times out and resends), rate_limit (requests per
second above which it answers 429; None for no limit), api_key (401 when wrong),
reject (numbers answered 400). A request whose Idempotency-Key was accepted before is
answered with the first message's id and not counted again. `accepted` counts accepted
messages per recipient, `bodies` keeps the last accepted text per recipient,
`accepted_from` counts per client address; `requests` counts every request.
`listen(address)` serves the same gateway on one more local address
(e.g. the host side of a network namespace's veth) and returns that URL.
"""

import json
import random
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients killed mid-request (crash tests) reset their connections


class FakeSmsGateway:
    def __init__(self, latency=0.0, failure_rate=0.0, timeout_rate=0.0, hang=2.0, rate_limit=None, api_key="test-key",
                 reject=(), seed=None):  # fmt: skip
        self.latency, self.failure_rate, self.timeout_rate, self.hang = latency, failure_rate, timeout_rate, hang
        self.rate_limit, self.api_key, self.reject = rate_limit, api_key, set(reject)
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.accepted = Counter()  # recipient -> accepted messages
        self.bodies = {}  # recipient -> text of the last accepted message
        self.accepted_from = Counter()  # client address -> accepted messages
        self.keys = {}  # idempotency key -> message id
        self.requests = 0
        self.duplicates = 0  # resends recognised by their idempotency key
        self.status_counts = Counter()
        self.accept_times = []
        self._window = (0, 0)  # (second, requests in it)
        self.server = None
        self.servers = []

    # --- lifecycle
    def start(self):
        gateway = self

        class Handler(_Handler):
            pass

        Handler.gateway = gateway
        self._handler = Handler
        self.server = self._serve("127.0.0.1")
        return self

    def _serve(self, address):
        server = _Server((address, 0), self._handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.servers.append(server)
        return server

    def listen(self, address) -> str:
        """Serve on one more local address too; its URL."""
        return f"http://{address}:{self._serve(address).server_address[1]}/send"

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def reset(self):
        with self.lock:
            self.accepted.clear()
            self.bodies.clear()
            self.accepted_from.clear()
            self.keys.clear()
            self.requests = self.duplicates = 0
            self.status_counts.clear()
            self.accept_times.clear()

    @property
    def total_accepted(self):
        with self.lock:
            return sum(self.accepted.values())

    # --- behaviour
    def _roll(self, rate):
        with self.lock:
            return rate > 0 and self.random.random() < rate

    def _over_rate(self):
        if not self.rate_limit:
            return False
        with self.lock:
            second = int(time.monotonic())
            start, n = self._window
            n = n + 1 if start == second else 1
            self._window = (second, n)
            return n > self.rate_limit

    def _accept(self, to, key, client="", text=""):
        """Record the message unless its idempotency key was seen; returns (message id, new)."""
        with self.lock:
            if key and key in self.keys:
                self.duplicates += 1
                return self.keys[key], False
            message_id = uuid.uuid4().hex
            if key:
                self.keys[key] = message_id
            self.accepted[to] += 1
            self.bodies[to] = text
            self.accepted_from[client] += 1
            self.accept_times.append(time.monotonic())
            return message_id, True

    def handle(self, headers, body, client=""):
        """(status, payload) for one request."""
        with self.lock:
            self.requests += 1
        if self.api_key and headers.get("X-API-Key") != self.api_key:
            return 401, {"error": "bad api key"}
        try:
            data = json.loads(body)
            to, message = data["to"], data["message"]
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "malformed request"}
        if to in self.reject:
            return 400, {"error": "unknown number"}
        if self._over_rate():
            return 429, {"error": "too many requests"}
        if self._roll(self.failure_rate):
            return 500, {"error": "internal error"}
        if self.latency:
            time.sleep(self.latency)
        message_id, _ = self._accept(to, headers.get("Idempotency-Key", ""), client, message)
        if self._roll(self.timeout_rate):
            time.sleep(self.hang)  # accepted, but the answer comes too late
        return 200, {"id": message_id, "status": "accepted"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can pool connections
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    gateway: FakeSmsGateway

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, payload = self.gateway.handle(self.headers, body, self.client_address[0])
        with self.gateway.lock:
            self.gateway.status_counts[status] += 1
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)

    def log_message(self, format, *args):
        pass
