#!/usr/bin/env python3
"""Serves moto, the AWS API emulator, on 127.0.0.1 at a free port for a test, and writes the port
to PORT_FILE once it answers. Stops on its own after LIFETIME seconds, so a server a crashed test
forgets does not outlive it. With CERT and KEY it serves HTTPS, as AWS does (a bucket policy that
denies plain HTTP then behaves as on AWS).

moto applies a bucket policy's statements without their conditions (its put_bucket_policy says
"Conditions are not taken into account"), so a TLS-only policy would deny every request. Served
over HTTPS every request is secure transport, so statements whose only condition is
aws:SecureTransport false never apply, as on AWS; they are left out when moto evaluates a policy.

Usage: moto_server.py PORT_FILE LIFETIME [CERT KEY]
"""
import json
import os
import sys
import threading
import time

from moto.s3.models import FakeBucket
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

port_file, lifetime = sys.argv[1], float(sys.argv[2])
ssl_context = (sys.argv[3], sys.argv[4]) if len(sys.argv) == 5 else None

if ssl_context:
    insecure_only = {"Bool": {"aws:SecureTransport": "false"}}
    evaluate = FakeBucket.get_permission
    # Requests are served on threads: the policy is swapped and put back under one lock, so no
    # other request ever reads (or keeps) the filtered one.
    policy_lock = threading.Lock()

    def get_permission(bucket, action, resource):
        if bucket.policy is None:
            return evaluate(bucket, action, resource)
        policy = json.loads(bucket.policy.decode())
        statements = policy.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [statement for statement in statements if statement.get("Condition") != insecure_only]
        if len(kept) == len(statements):
            return evaluate(bucket, action, resource)
        with policy_lock:
            original = bucket.policy
            bucket.policy = json.dumps(dict(policy, Statement=kept)).encode() if kept else None
            try:
                return evaluate(bucket, action, resource)
            finally:
                bucket.policy = original

    FakeBucket.get_permission = get_permission
app = DomainDispatcherApplication(create_backend_app)
server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
with open(port_file + ".part", "w") as handle:
    handle.write(str(server.server_address[1]))
os.rename(port_file + ".part", port_file)
deadline = time.monotonic() + lifetime
try:
    while time.monotonic() < deadline:
        time.sleep(0.2)
finally:
    server.shutdown()
    thread.join()
