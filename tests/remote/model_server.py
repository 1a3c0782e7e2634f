#!/usr/bin/env python3
"""A small real model server for the deploy tests (stdlib only).

usage: model_server.py --model PATH --port PORT [--exit-at-once]

Serves GET /health (200 "ok") and GET or POST /predict, which answers
{"sha256": <of the model file>, "size": <its bytes>, "first": <its first
bytes as text>} so a test can tell the deployed model's bytes from the
answer.  Logs each request to stderr (the deployment's log).
"""
import argparse
import hashlib
import http.server
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--exit-at-once", action="store_true")
    a = ap.parse_args()
    if a.exit_at_once:
        print("model_server: refusing to start: --exit-at-once", file=sys.stderr, flush=True)
        sys.exit(3)
    with open(a.model, "rb") as f:
        data = f.read()
    answer = json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                         "first": data[:32].decode("utf-8", "replace")}).encode()

    class H(http.server.BaseHTTPRequestHandler):
        def reply(self, code, body, ctype="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, b"ok", "text/plain")
            elif self.path == "/predict":
                self.reply(200, answer)
            else:
                self.reply(404, b'{"message": "no such path"}')

        do_POST = do_GET

        def log_message(self, fmt, *args):
            print("model_server: " + fmt % args, file=sys.stderr, flush=True)

    srv = http.server.HTTPServer(("127.0.0.1", a.port), H)
    print("model_server: serving %s (%d bytes) on port %d" % (a.model, len(data), a.port),
          file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
