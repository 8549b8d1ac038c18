#!/usr/bin/env python3
"""The demo backend of the local stack: answers every request with JSON naming itself and
echoing the request line and headers, so you can see what reached it through Envoy (which
instance answered, and which identity headers auth-service added).

Usage: backend.py PORT      (DEMO_BACKEND_NAME names the instance; default "demo")
GET /healthz answers "ok" and is not logged: Consul checks it every second."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    server_version = "embassy-demo"
    name = os.environ.get("DEMO_BACKEND_NAME", "demo")

    def answer(self):
        if self.path == "/healthz":
            self.reply(200, "text/plain", b"ok\n")
            return
        body = json.dumps({
            "backend": self.name,
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }, indent=2).encode() + b"\n"
        self.reply(200, "application/json", body)

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("x-backend", self.name)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer

    def log_request(self, code="-", size="-"):
        if self.path != "/healthz":
            super().log_request(code, size)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8088
    ThreadingHTTPServer(("127.0.0.1", port), Echo).serve_forever()
