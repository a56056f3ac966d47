#!/usr/bin/env python3
"""Byte-level cross-check helper for Scripts/test-c-client.sh (standard library only).

  lrpc_record.py proxy LISTEN_SOCKET TARGET_SOCKET OUT_DIR
      A Unix-socket proxy in front of lifed: forwards both directions unchanged and records
      what each client sends (preface + frames) to OUT_DIR/conn-N.bin, N = 1, 2, ... in order
      of connection. Runs until killed.

  lrpc_record.py timeout FILE METHOD
      Prints the timeout_ms of the first call of METHOD recorded in FILE.

  lrpc_record.py compare FILE_A FILE_B METHOD
      Compares the HEADERS frame and the request MESSAGE frame of the first call of METHOD in
      two recordings, byte for byte (frame header and payload). Exit 0 when identical, 1 when
      not (with both hex dumps), 2 when a call is missing.

The recordings come from two independent clients — lifectl (the Swift stubs) and the C stubs —
making the same call with the same request values and timeout; identical bytes show that the
two stubs encode calls the same way.
"""

from __future__ import annotations

import os
import selectors
import socket
import struct
import sys

PREFACE = b"LRPC\r\n\x00\x01"
HEADERS, MESSAGE = 0x02, 0x03


def proxy(listen: str, target: str, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    if os.path.exists(listen):
        os.unlink(listen)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen)
    server.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ, ("accept", None, None))
    count = 0
    while True:
        for key, _ in sel.select():
            kind, peer, record = key.data
            sock = key.fileobj
            if kind == "accept":
                client, _ = server.accept()
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    upstream.connect(target)
                except OSError:
                    client.close()
                    continue
                count += 1
                record = open(os.path.join(out_dir, f"conn-{count}.bin"), "wb")
                sel.register(client, selectors.EVENT_READ, ("client", upstream, record))
                sel.register(upstream, selectors.EVENT_READ, ("server", client, None))
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in (sock, peer):
                    try:
                        sel.unregister(s)
                    except (KeyError, ValueError):
                        pass
                    s.close()
                if record is not None:
                    record.close()
                continue
            if record is not None:
                record.write(data)
                record.flush()
            try:
                peer.sendall(data)
            except OSError:
                pass


def varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def call_header(payload: bytes) -> tuple[str, int]:
    """(method, timeout_ms) of an encoded life.v1.CallHeader."""
    method, timeout, pos = "", 0, 0
    while pos < len(payload):
        key, pos = varint(payload, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(payload, pos)
            if field == 2:
                timeout = value
        elif wire == 2:
            length, pos = varint(payload, pos)
            if field == 1:
                method = payload[pos : pos + length].decode()
            pos += length
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return method, timeout


def frames(path: str):
    data = open(path, "rb").read()
    if not data.startswith(PREFACE):
        raise ValueError(f"{path}: no LRPC preface")
    pos = len(PREFACE)
    while pos + 10 <= len(data):
        length, type_, flags, call_id = struct.unpack(">IBBI", data[pos : pos + 10])
        raw = data[pos : pos + 10 + length]
        yield type_, flags, call_id, raw[10:], raw
        pos += 10 + length


def first_call(path: str, method: str):
    """(HEADERS frame bytes, MESSAGE frame bytes, timeout_ms) of the first call of method."""
    headers = None
    for type_, _flags, call_id, payload, raw in frames(path):
        if type_ == HEADERS and headers is None:
            name, timeout = call_header(payload)
            if name == method:
                headers = (call_id, raw, timeout)
        elif type_ == MESSAGE and headers is not None and call_id == headers[0]:
            return headers[1], raw, headers[2]
    return None


def hexdump(label: str, data: bytes) -> str:
    return f"  {label} ({len(data)} bytes): {data.hex(' ')}"


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[1] == "proxy":
        proxy(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4 and argv[1] == "timeout":
        call = first_call(argv[2], argv[3])
        if call is None:
            print(f"no {argv[3]} call in {argv[2]}", file=sys.stderr)
            return 2
        print(call[2])
        return 0
    if len(argv) == 5 and argv[1] == "compare":
        a, b, method = argv[2], argv[3], argv[4]
        call_a, call_b = first_call(a, method), first_call(b, method)
        if call_a is None or call_b is None:
            print(f"compare: no {method} call in {a if call_a is None else b}")
            return 2
        same = call_a[0] == call_b[0] and call_a[1] == call_b[1]
        total = len(call_a[0]) + len(call_a[1])
        if same:
            print(f"compare: {method}: HEADERS + MESSAGE identical ({total} bytes)")
            return 0
        print(f"compare: {method}: frames differ")
        print(hexdump("A HEADERS", call_a[0]))
        print(hexdump("B HEADERS", call_b[0]))
        print(hexdump("A MESSAGE", call_a[1]))
        print(hexdump("B MESSAGE", call_b[1]))
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
