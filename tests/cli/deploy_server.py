#!/usr/bin/env python3
"""A real HTTP deploy service for tests/cli/test_deploy_http.sh (stdlib only).

usage: deploy_server.py PORTFILE LOGFILE TOKEN

Listens on a free port of 127.0.0.1 (written to PORTFILE) and appends each
request it gets to LOGFILE as one JSON line {method, path, authorization,
body}.  Routes, under /v1 (needs "Authorization: Bearer TOKEN", else 401):
  POST   /v1/deployments          -> {"id": "dep-N", "status": "starting", "endpoint": ...}
  GET    /v1/deployments/ID       -> starting the first time, then ready
  DELETE /v1/deployments/ID       -> {"status": "stopped"}
  GET    /v1/deployments/ID/logs  -> text
and /boom/... answers 500 {"error": "backend exploded"}, /refuse/... 422
{"message": "model too large for this cluster"}.  POST /admin/fail/ID (no
token: it is the test's hand, not a client's) makes ID report failed from
then on, as a service whose model crashed would.
"""
import http.server
import json
import sys

portfile, logfile, token = sys.argv[1:4]
polls = {}
count = [0]


class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, obj, ctype="application/json"):
        body = obj.encode() if isinstance(obj, str) else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else None
        with open(logfile, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "authorization": self.headers.get("Authorization"),
                                "content_type": self.headers.get("Content-Type"),
                                "body": body}) + "\n")
        if self.path.startswith("/boom/"):
            return self.reply(500, {"error": "backend exploded"})
        if self.path.startswith("/refuse/"):
            return self.reply(422, {"message": "model too large for this cluster"})
        if self.command == "POST" and self.path.startswith("/admin/fail/"):
            polls[self.path.rsplit("/", 1)[1]] = -1
            return self.reply(200, {"ok": True})
        if self.headers.get("Authorization") != "Bearer " + token:
            return self.reply(401, {"message": "bad or missing token"})
        parts = self.path.strip("/").split("/")
        if self.command == "POST" and parts == ["v1", "deployments"]:
            count[0] += 1
            dep = "dep-%d" % count[0]
            polls[dep] = 0
            return self.reply(201, {"id": dep, "status": "starting"})
        if len(parts) >= 3 and parts[:2] == ["v1", "deployments"] and parts[2] in polls:
            dep = parts[2]
            if self.command == "GET" and len(parts) == 3:
                if polls[dep] < 0:
                    return self.reply(200, {"status": "failed", "detail": "the model server crashed"})
                polls[dep] += 1
                st = "starting" if polls[dep] < 2 else "ready"
                return self.reply(200, {"status": st, "endpoint": "https://serve.example.org/" + dep})
            if self.command == "GET" and parts[3:] == ["logs"]:
                return self.reply(200, "loaded model for %s\nserving\n" % dep, "text/plain")
            if self.command == "DELETE" and len(parts) == 3:
                return self.reply(200, {"status": "stopped"})
        return self.reply(404, {"message": "no such deployment"})

    do_GET = do_POST = do_DELETE = handle_any

    def log_message(self, fmt, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
