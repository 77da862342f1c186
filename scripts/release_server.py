#!/usr/bin/env python3
"""A loopback HTTP server for tests: serves a directory of release archives and checksum files.

Usage: release_server.py DIRECTORY PORT_FILE [LIFETIME_SECONDS]

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves DIRECTORY until it has
run LIFETIME_SECONDS (default 300): tests stop it sooner, and a forgotten one never outlives them.
A request whose path starts with /interrupted/ gets the file under the rest of the path with its
full Content-Length announced, but only half of its bytes before the connection closes: a download
that breaks off.
"""
import http.server
import os
import signal
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/interrupted/"):
            path = self.translate_path(self.path[len("/interrupted"):])
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


def main():
    # A test host may start us with SIGTERM ignored or blocked; stopping must still work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    directory, port_file = sys.argv[1], sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
    handler = lambda *args, **kwargs: Handler(*args, directory=directory, **kwargs)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
