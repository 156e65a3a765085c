#!/usr/bin/env python3
"""Scripted HTTP/1.1 event-stream server for the load-conformance harness.

Runs as its own process and listens on two ports of 127.0.0.1 (origins "a" and "b", so that
a redirect can leave the origin). Its first line on stdout is

    ports A B

Requests go to /case/<name>/<token>[...]: the k-th request (k = 0, 1, ...) carrying a given
name and token gets the k-th response of that case's script (tests/load/cases.py). The
token is chosen per client run, so clients running the same case at the same time each get
their own counter. A request past the end of the script, or for an unknown case, is answered
500 and logged as unscheduled.

Every request is logged to the JSON Lines file given by --log, when its head has been read
("kind": "request": case, token, k, origin, method, path, headers, body length, arrival in
ms of time.monotonic), and again when its response is over ("kind": "end": the time the
server finished it, by FIN, RST, or its last byte on a kept-alive connection). The runner
reads the delays between the end of one response and the next request from these records.

Standard library only.
"""

import argparse
import importlib.util
import json
import os
import re
import select
import socket
import struct
import sys
import threading
import time
import zlib

PATH_PATTERN = re.compile(r"^/case/([^/?#]+)/([^/?#]+)")
REASONS = {
    200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 410: "Gone",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable",
}
HOLD_LIMIT_S = 30.0  # a held response ends at the latest after this long


def now_ms():
    return time.monotonic() * 1000.0


def load_cases(path):
    spec = importlib.util.spec_from_file_location("load_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {case["name"]: case for case in module.CASES}


class Log:
    """JSON Lines request log shared by all connection threads."""

    def __init__(self, path):
        self._file = open(path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, record):
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()


class Server:
    def __init__(self, cases, log):
        self.cases = cases
        self.log = log
        self.counters = {}
        self.lock = threading.Lock()
        self.ports = {}
        self.connections = 0

    def next_index(self, name, token):
        with self.lock:
            k = self.counters.get((name, token), 0)
            self.counters[(name, token)] = k + 1
            return k

    def origin_url(self, origin):
        return "http://127.0.0.1:%d" % self.ports[origin]


class ClientGone(Exception):
    pass


def read_request(sock, buffered):
    """Reads one request (head and Content-Length or chunked body). Returns
    (request dict or None at EOF, leftover bytes)."""
    data = buffered
    first_byte_ms = now_ms() if data else None
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return None, b""
        if not chunk:
            return None, b""
        if first_byte_ms is None:
            first_byte_ms = now_ms()
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method = parts[0] if parts else ""
    target = parts[1] if len(parts) > 1 else ""
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append([name.strip(), value.strip()])
    lowered = {name.lower(): value for name, value in headers}
    body = b""
    if "content-length" in lowered:
        length = int(lowered["content-length"] or 0)
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        body, rest = rest[:length], rest[length:]
    elif "chunked" in lowered.get("transfer-encoding", "").lower():
        while True:
            while b"\r\n" not in rest:
                chunk = sock.recv(65536)
                if not chunk:
                    return None, b""
                rest += chunk
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            while len(rest) < size + 2:
                chunk = sock.recv(65536)
                if not chunk:
                    return None, b""
                rest += chunk
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                break
    request = {
        "method": method, "target": target, "headers": headers, "lowered": lowered,
        "body": body, "arrival_ms": first_byte_ms,
    }
    return request, rest


def accepts_gzip(lowered):
    for item in lowered.get("accept-encoding", "").split(","):
        token, _, params = item.strip().partition(";")
        if token.strip().lower() in ("gzip", "x-gzip", "*"):
            match = re.search(r"q\s*=\s*([0-9.]+)", params)
            if match is None or float(match.group(1)) > 0:
                return True
    return False


def reset(sock):
    """Ends the connection with a TCP RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def expand(template, server, origin, name, token):
    other = "b" if origin == "a" else "a"
    return (template.replace("{self}", server.origin_url(origin))
            .replace("{other}", server.origin_url(other))
            .replace("{a}", server.origin_url("a"))
            .replace("{b}", server.origin_url("b"))
            .replace("{path}", "/case/%s/%s" % (name, token))
            .replace("{token}", token))


def wait_for_client_close(sock, limit_s):
    """Holds the response open until the client closes (or limit_s passes)."""
    deadline = time.monotonic() + limit_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "hold-limit"
        readable, _, _ = select.select([sock], [], [], min(left, 0.5))
        if readable:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return "client-reset"
            if not chunk:
                return "client-closed"


def serve_response(sock, server, origin, request, response, name, token):
    """Writes one scripted response. Returns (how it ended, end time in ms, keep the
    connection for another request, Content-Encoding used)."""
    end = response.get("end", "fin")
    if end == "none":
        t = now_ms()
        sock.close()
        return "closed-without-response", t, False, None
    if end == "rst_before":
        t = now_ms()
        reset(sock)
        return "rst-before-status", t, False, None

    status = response.get("status", 200)
    reason = response.get("reason", REASONS.get(status, "Status"))
    framing = response.get("framing", "close")
    keep_alive = response.get("keepalive", False)
    items = response.get("body", [])
    use_gzip = response.get("gzip", False) and accepts_gzip(request["lowered"])
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if use_gzip else None
    encoding = "gzip" if use_gzip else None

    # Body pieces as they will go on the wire (before chunked framing): bytes or a pause
    # in ms.
    pieces = []
    for item in items:
        if isinstance(item, (int, float)):
            pieces.append(item)
            continue
        data = item.encode("utf-8") if isinstance(item, str) else bytes(item)
        if compressor is not None:
            data = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
        pieces.append(data)
    if compressor is not None and end == "fin":
        pieces.append(compressor.flush(zlib.Z_FINISH))

    head = ["HTTP/1.1 %d %s" % (status, reason)]
    content_type = response.get("content_type", "text/event-stream")
    if content_type is not None:
        head.append("Content-Type: " + content_type)
    if use_gzip:
        head.append("Content-Encoding: gzip")
    if "location" in response:
        head.append("Location: " + expand(response["location"], server, origin, name, token))
    if status == 204 or status == 304:
        framing = "none"
    elif framing == "length":
        # length_extra announces more bytes than are sent (a body cut short).
        head.append("Content-Length: %d"
                    % (sum(len(p) for p in pieces if isinstance(p, bytes))
                       + response.get("length_extra", 0)))
    elif framing == "chunked":
        head.append("Transfer-Encoding: chunked")
    head.append("Cache-Control: no-cache")
    if not keep_alive:
        head.append("Connection: close")
    for header_name, value in response.get("headers", []):
        head.append("%s: %s" % (header_name, expand(value, server, origin, name, token)))
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))

    try:
        for piece in pieces:
            if isinstance(piece, bytes):
                if not piece:
                    continue
                if framing == "chunked":
                    piece = b"%x\r\n" % len(piece) + piece + b"\r\n"
                sock.sendall(piece)
            else:
                time.sleep(piece / 1000.0)
        if framing == "chunked" and end == "fin":
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        t = now_ms()
        sock.close()
        return "client-gone-while-writing", t, False, encoding

    if end == "rst":
        # Leave the client time to read what is already on loopback: data still unread
        # when the reset arrives may be thrown away by the client's kernel.
        time.sleep(response.get("rst_delay_ms", 100) / 1000.0)
        t = now_ms()
        reset(sock)
        return "rst-after-body", t, False, encoding
    if end == "hold":
        how = wait_for_client_close(sock, response.get("hold_s", HOLD_LIMIT_S))
        t = now_ms()
        sock.close()
        return how, t, False, encoding
    if end == "fin_unterminated":
        # Close without the last chunk or before the Content-Length is complete.
        t = now_ms()
        sock.shutdown(socket.SHUT_WR)
        sock.close()
        return "fin-body-incomplete", t, False, encoding
    if keep_alive and framing in ("length", "chunked", "none"):
        return "body-complete-kept-alive", now_ms(), True, encoding
    t = now_ms()
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    sock.close()
    return "fin", t, False, encoding


def handle_connection(sock, origin, server):
    with server.lock:
        server.connections += 1
        connection = server.connections
    sock.settimeout(HOLD_LIMIT_S)
    leftover = b""
    idle_close_ms = None
    try:
        while True:
            if idle_close_ms is not None and not leftover:
                readable, _, _ = select.select([sock], [], [], idle_close_ms / 1000.0)
                if not readable:
                    t = now_ms()
                    sock.close()
                    server.log.write({"kind": "idle-close", "origin": origin,
                                      "connection": connection, "time_ms": t})
                    return
            request, leftover = read_request(sock, leftover)
            if request is None:
                sock.close()
                return
            match = PATH_PATTERN.match(request["target"])
            name, token = (match.group(1), match.group(2)) if match else ("", "")
            case = server.cases.get(name)
            k = server.next_index(name, token)
            script = case["responses"] if case else []
            unscheduled = k >= len(script)
            server.log.write({
                "kind": "request", "case": name, "token": token, "k": k, "origin": origin,
                "connection": connection, "method": request["method"],
                "path": request["target"], "headers": request["headers"],
                "body_length": len(request["body"]), "arrival_ms": request["arrival_ms"],
                "unscheduled": unscheduled,
            })
            if unscheduled:
                response = {"status": 500, "content_type": "text/plain",
                            "body": ["UNSCHEDULED request %d of %s\n" % (k, name)],
                            "framing": "length"}
            else:
                response = script[k]
            how, end_ms, keep, encoding = serve_response(sock, server, origin, request, response,
                                               name, token)
            server.log.write({"kind": "end", "case": name, "token": token, "k": k,
                              "origin": origin, "connection": connection, "how": how,
                              "end_ms": end_ms, "encoding": encoding})
            if not keep:
                return
            idle_close_ms = response.get("idle_close_ms")
    except OSError as error:
        server.log.write({"kind": "socket-error", "origin": origin, "connection": connection,
                          "error": str(error), "time_ms": now_ms()})
        try:
            sock.close()
        except OSError:
            pass


def accept_loop(listener, origin, server):
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle_connection, args=(sock, origin, server),
                         daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", required=True, help="case file (a Python module)")
    parser.add_argument("--log", required=True, help="JSON Lines request log to append to")
    args = parser.parse_args()

    server = Server(load_cases(args.cases), Log(args.log))
    listeners = {}
    for origin in ("a", "b"):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        listeners[origin] = listener
        server.ports[origin] = listener.getsockname()[1]
    for origin, listener in listeners.items():
        threading.Thread(target=accept_loop, args=(listener, origin, server),
                         daemon=True).start()
    sys.stdout.write("ports %d %d\n" % (server.ports["a"], server.ports["b"]))
    sys.stdout.flush()
    # Runs until stdin closes (the runner exits) or a signal ends the process.
    try:
        while sys.stdin.read(1):
            pass
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
