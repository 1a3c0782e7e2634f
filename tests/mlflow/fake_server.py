#!/usr/bin/env python3
"""Small HTTP servers for tests/mlflow/test_mlflow_rest.sh (stdlib only).

  fake_server.py PORTFILE LOG auth           records each Authorization header in LOG; answers
                                             like an empty tracking server
  fake_server.py PORTFILE LOG status CODE    answers everything with CODE (404: Flask's HTML page,
                                             else MLflow's JSON error body)
  fake_server.py PORTFILE LOG retry UPSTREAM first request: 503 with Retry-After: 1; then proxies
                                             to UPSTREAM (http://host:port); LOG gets one line per
                                             request with the status sent
  fake_server.py PORTFILE LOG failonce UPSTREAM TEXT
                                             proxies to UPSTREAM, but the first request whose
                                             path holds TEXT gets a 500 (a server failing
                                             partway through a push)
  fake_server.py PORTFILE LOG loseonce UPSTREAM TEXT
                                             as failonce, but that request reaches UPSTREAM
                                             first: the server acted, its answer was lost

It binds port 0 and writes the port it got to PORTFILE, so no port is ever
chosen twice.  With FAKE_TLS_CERT and FAKE_TLS_KEY set (PEM files) it speaks
HTTPS with that certificate.
"""
import http.server
import os
import ssl
import sys
import urllib.error
import urllib.request

portfile, log, mode, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
served = [0]
failed = []


def note(line):
    with open(log, "a") as f:
        f.write(line + "\n")


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json", extra=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else None

    def handle_any(self):
        req = self.body()
        served[0] += 1
        if mode == "auth":
            note(self.headers.get("Authorization", "(none)"))
            self.send(200, "{}")
        elif mode == "status":
            code = int(args[0])
            if code == 404:
                self.send(404, "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", "text/html")
            else:
                self.send(code, '{"error_code": "INTERNAL_ERROR", "message": "boom"}')
        elif mode in ("retry", "failonce", "loseonce"):
            if mode == "retry" and served[0] == 1:
                note("503")
                self.send(503, '{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}',
                          extra=[("Retry-After", "1")])
                return
            lose = mode == "loseonce" and args[1] in self.path and not failed
            if mode == "failonce" and args[1] in self.path and not failed:
                failed.append(self.path)
                note("500 " + self.path)
                self.send(500, '{"error_code": "INTERNAL_ERROR", "message": "boom"}')
                return
            r = urllib.request.Request(args[0] + self.path, data=req, method=self.command,
                                       headers={k: v for k, v in self.headers.items()
                                                if k.lower() in ("content-type", "authorization")})
            try:
                with urllib.request.urlopen(r) as resp:
                    code, data = resp.status, resp.read().decode()
            except urllib.error.HTTPError as e:
                code, data = e.code, e.read().decode()
            if lose:
                failed.append(self.path)
                note("lost %d %s" % (code, self.path))
                self.send(500, '{"error_code": "INTERNAL_ERROR", "message": "boom"}')
                return
            note(str(code))
            self.send(code, data)

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
if os.environ.get("FAKE_TLS_CERT"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["FAKE_TLS_CERT"], os.environ["FAKE_TLS_KEY"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
