#!/usr/bin/env python3
"""Serves moto, the AWS API emulator, on 127.0.0.1 at a free port for a test, and writes the port
to PORT_FILE once it answers. Stops on its own after LIFETIME seconds, so a server a crashed test
forgets does not outlive it.

Usage: moto_server.py PORT_FILE LIFETIME
"""
import os
import sys
import time

from moto.server import ThreadedMotoServer

port_file, lifetime = sys.argv[1], float(sys.argv[2])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
_, port = server.get_host_and_port()
with open(port_file + ".part", "w") as handle:
    handle.write(str(port))
os.rename(port_file + ".part", port_file)
deadline = time.monotonic() + lifetime
try:
    while time.monotonic() < deadline:
        time.sleep(0.2)
finally:
    server.stop()
