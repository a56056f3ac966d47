#!/usr/bin/env python3
"""A minimal, independent LRPC v1 client, written from docs/PROTOCOL.md alone.

It proves that the protocol document is enough to talk to lifed: on one Unix-socket
connection it runs Health.Check (unary), Health.Watch (server-streaming: reads the first
message, then sends CANCEL) and a PING, and exits 0 printing "interop OK ...", or non-zero with
the reason. With --hexdump it also prints the annotated bytes of the Health.Check call in both
directions (the example in docs/PROTOCOL.md §17 is this output).

The envelope and Health messages are compiled at run time from Protos/life/v1/{common,wire,
health}.proto into a temporary folder with grpcio-tools' protoc; no generated code is kept.

    python3 lrpc_client.py /path/to/lifed.sock [--hexdump] [--timeout 5] [--protos DIR]

Exit status: 0 interop OK; 1 the server misbehaved or a call failed; 2 setup problem (protoc,
missing socket).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import secrets
import socket
import struct
import sys
import tempfile
import time

# --- Protocol constants (PROTOCOL.md §2–§4) ---------------------------------------------

PREFACE_MAGIC = b"LRPC\r\n"
PREFACE = PREFACE_MAGIC + struct.pack(">H", 1)
FRAME_HEADER = struct.Struct(">IBBI")  # length, type, flags, call id — big-endian, 10 bytes

SETTINGS, HEADERS, MESSAGE, TRAILER, CANCEL, PING, GOAWAY = range(0x01, 0x08)
FRAME_NAMES = {
    SETTINGS: "SETTINGS",
    HEADERS: "HEADERS",
    MESSAGE: "MESSAGE",
    TRAILER: "TRAILER",
    CANCEL: "CANCEL",
    PING: "PING",
    GOAWAY: "GOAWAY",
}
END_STREAM = 0x01  # on MESSAGE
ACK = 0x01  # on PING
MAX_ACCEPTED_FRAME = 64 << 20  # what this client accepts from the server (§13)

CHECK = "/life.v1.Health/Check"
WATCH = "/life.v1.Health/Watch"


class InteropError(Exception):
    """The server did something the protocol does not allow, or a call failed."""


class SetupError(Exception):
    """The client could not be set up (protoc, socket path)."""


class RPCFailure(InteropError):
    """A call ended with a TRAILER other than OK."""

    def __init__(self, code_name: str, message: str):
        super().__init__(f"{code_name}: {message}")
        self.code_name = code_name


# --- Generated messages -------------------------------------------------------------------


class Protos:
    """The life.v1 messages, compiled from the .proto files at run time."""

    def __init__(self, proto_root: str, out_dir: str):
        try:
            from grpc_tools import protoc
        except ImportError as error:
            raise SetupError(f"grpcio-tools is not installed ({error}); pip install protobuf grpcio-tools")
        files = [f"life/v1/{name}.proto" for name in ("common", "wire", "health")]
        for name in files:
            if not os.path.isfile(os.path.join(proto_root, name)):
                raise SetupError(f"{os.path.join(proto_root, name)} not found (use --protos)")
        status = protoc.main(["protoc", f"-I{proto_root}", f"--python_out={out_dir}", *files])
        if status != 0:
            raise SetupError(f"protoc failed with status {status}")
        sys.path.insert(0, out_dir)
        self.wire = importlib.import_module("life.v1.wire_pb2")
        self.health = importlib.import_module("life.v1.health_pb2")

    def code_name(self, number: int) -> str:
        """gRPC code name; unknown numbers count as UNKNOWN (§4.4)."""
        try:
            return self.wire.StatusCode.Name(number).removeprefix("STATUS_CODE_")
        except ValueError:
            return "UNKNOWN"


# --- Connection ---------------------------------------------------------------------------


class Frame:
    def __init__(self, type_: int, flags: int, call_id: int, payload: bytes, raw: bytes):
        self.type = type_
        self.flags = flags
        self.call_id = call_id
        self.payload = payload
        self.raw = raw

    @property
    def name(self) -> str:
        return FRAME_NAMES.get(self.type, f"0x{self.type:02x}")


def encode_frame(type_: int, call_id: int, payload: bytes = b"", flags: int = 0) -> bytes:
    return FRAME_HEADER.pack(len(payload), type_, flags, call_id) + payload


class Connection:
    """One LRPC connection over a Unix socket. Answers server PINGs by itself (§4.6, §11)."""

    def __init__(self, path: str, protos: Protos):
        self.protos = protos
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError as error:
            raise SetupError(f"cannot connect to {path}: {error}")
        self.buffer = bytearray()
        self.settings = None
        # Recording for --hexdump: (kind, bytes) per direction, in wire order.
        self.recording = False
        self.sent: list[tuple[str, bytes]] = []
        self.received: list[tuple[str, bytes]] = []

    def close(self) -> None:
        self.sock.close()

    # Sending

    def send(self, segments: list[tuple[str, bytes]]) -> None:
        data = b"".join(data for _, data in segments)
        if self.recording:
            self.sent.extend(segments)
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise InteropError(f"send failed: {error}")

    def send_frame(self, type_: int, call_id: int, payload: bytes = b"", flags: int = 0) -> None:
        self.send([("frame", encode_frame(type_, call_id, payload, flags))])

    # Receiving

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError
        except OSError as error:
            raise InteropError(f"connection failed: {error}")
        if not chunk:
            raise InteropError("server closed the connection")
        self.buffer += chunk

    def _take(self, count: int, deadline: float) -> bytes:
        while len(self.buffer) < count:
            self._fill(deadline)
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def read_frame(self, deadline: float) -> Frame:
        header = self._take(FRAME_HEADER.size, deadline)
        length, type_, flags, call_id = FRAME_HEADER.unpack(header)
        if type_ not in FRAME_NAMES:
            raise InteropError(f"server sent unknown frame type 0x{type_:02x}")
        if length > MAX_ACCEPTED_FRAME:
            raise InteropError(f"server frame of {length} bytes is larger than this client accepts")
        payload = self._take(length, deadline)
        frame = Frame(type_, flags, call_id, payload, header + payload)
        if self.recording:
            self.received.append(("frame", frame.raw))
        return frame

    def next_frame(self, deadline: float) -> Frame:
        """The next frame for the caller. Answers server PINGs; a GOAWAY ends the connection."""
        while True:
            frame = self.read_frame(deadline)
            if frame.type == PING and not frame.flags & ACK:
                self.send_frame(PING, 0, frame.payload, ACK)
                continue
            if frame.type == GOAWAY:
                goaway = self.protos.wire.GoAway.FromString(frame.payload)
                reason = self.protos.wire.GoAwayReason.Name(goaway.reason).removeprefix("GO_AWAY_REASON_")
                raise InteropError(f"server sent GOAWAY {reason} (last call id {goaway.last_call_id}): {goaway.message}")
            if frame.type in (HEADERS, CANCEL):
                raise InteropError(f"server sent a {frame.name} frame, which only clients send")
            return frame

    def start(self, timeout: float) -> None:
        """Preface both ways, then the server's SETTINGS (§2)."""
        deadline = time.monotonic() + timeout
        self.send([("preface", PREFACE)])
        try:
            preface = self._take(len(PREFACE), deadline)
        except TimeoutError:
            raise InteropError("no server preface within the timeout")
        if preface[:6] != PREFACE_MAGIC:
            raise InteropError(f"server preface is not LRPC: {preface.hex(' ')}")
        version = struct.unpack(">H", preface[6:])[0]
        if version != 1:
            raise InteropError(f"server speaks LRPC version {version}, this client version 1")
        if self.recording:
            self.received.append(("preface", preface))
        try:
            first = self.next_frame(deadline)
        except TimeoutError:
            raise InteropError("no SETTINGS within the timeout")
        if first.type != SETTINGS or first.call_id != 0:
            raise InteropError(f"first server frame is {first.name} on call {first.call_id}, expected SETTINGS on 0")
        self.settings = self.protos.wire.Settings.FromString(first.payload)


# --- Calls (§5–§7) ------------------------------------------------------------------------


def open_call(conn: Connection, call_id: int, method: str, request, timeout: float) -> None:
    """HEADERS and the one request MESSAGE (END_STREAM), in one write."""
    header = conn.protos.wire.CallHeader(method=method, timeout_ms=max(1, int(timeout * 1000)))
    encoded = header.SerializeToString()
    if conn.settings.max_header_size and len(encoded) > conn.settings.max_header_size:
        raise InteropError("call header larger than the server's max_header_size")
    body = request.SerializeToString()
    if conn.settings.max_frame_size and len(body) > conn.settings.max_frame_size:
        raise InteropError("request larger than the server's max_frame_size")
    conn.send(
        [
            ("frame", encode_frame(HEADERS, call_id, encoded)),
            ("frame", encode_frame(MESSAGE, call_id, body, END_STREAM)),
        ]
    )


def check_trailer(conn: Connection, frame: Frame) -> None:
    """Raises unless the TRAILER says OK (an empty payload is OK)."""
    status = conn.protos.wire.CallStatus.FromString(frame.payload)
    if status.code != 0:
        name = conn.protos.code_name(status.code)
        details = ""
        if status.HasField("details"):
            details = f" (reason {status.details.reason!r}, {len(status.details.field_violations)} field violations)"
        raise RPCFailure(name, status.message + details)


def unary(conn: Connection, call_id: int, method: str, request, response_type, timeout: float):
    open_call(conn, call_id, method, request, timeout)
    deadline = time.monotonic() + timeout
    response = None
    while True:
        try:
            frame = conn.next_frame(deadline)
        except TimeoutError:
            conn.send_frame(CANCEL, call_id)  # our own deadline (§6)
            raise RPCFailure("DEADLINE_EXCEEDED", f"{method}: no answer within {timeout} s")
        if frame.call_id != call_id:
            continue  # another call's frame, or a connection-level ACK: not ours
        if frame.type == MESSAGE:
            if response is not None:
                raise InteropError(f"{method}: two response MESSAGEs on a unary call")
            response = response_type.FromString(frame.payload)
        elif frame.type == TRAILER:
            check_trailer(conn, frame)
            if response is None:
                raise InteropError(f"{method}: OK trailer without a response MESSAGE")
            return response
        else:
            raise InteropError(f"{method}: unexpected {frame.name} frame on call {call_id}")


def first_stream_message(conn: Connection, call_id: int, method: str, request, response_type, timeout: float):
    """Opens a server-streaming call, returns its first message, then cancels it (§7)."""
    open_call(conn, call_id, method, request, timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            frame = conn.next_frame(deadline)
        except TimeoutError:
            conn.send_frame(CANCEL, call_id)
            raise RPCFailure("DEADLINE_EXCEEDED", f"{method}: no message within {timeout} s")
        if frame.call_id != call_id:
            continue
        if frame.type == MESSAGE:
            message = response_type.FromString(frame.payload)
            conn.send_frame(CANCEL, call_id)
            return message
        if frame.type == TRAILER:
            check_trailer(conn, frame)
            raise InteropError(f"{method}: stream ended (OK) before its first message")
        raise InteropError(f"{method}: unexpected {frame.name} frame on call {call_id}")


def ping(conn: Connection, timeout: float, ignore_calls: set[int]) -> float:
    """Sends a PING and waits for the ACK with the same 8 bytes; returns the round trip in s."""
    payload = secrets.token_bytes(8)
    started = time.monotonic()
    conn.send_frame(PING, 0, payload)
    deadline = started + timeout
    while True:
        try:
            frame = conn.next_frame(deadline)
        except TimeoutError:
            raise InteropError(f"no PING ACK within {timeout} s")
        if frame.type == PING and frame.flags & ACK:
            if frame.payload != payload:
                raise InteropError(f"PING ACK carries {frame.payload.hex()}, sent {payload.hex()}")
            return time.monotonic() - started
        if frame.call_id in ignore_calls:
            continue  # late frames of a cancelled call are allowed (§7)
        raise InteropError(f"unexpected {frame.name} frame on call {frame.call_id} while waiting for the PING ACK")


# --- Hex dump (§17) -----------------------------------------------------------------------


def _varint(data: bytes, index: int) -> tuple[int, int]:
    value = shift = 0
    start = index
    while True:
        byte = data[index]
        value |= (byte & 0x7F) << shift
        index += 1
        shift += 7
        if not byte & 0x80:
            return value, index - start


class Dump:
    """Collects (offset, bytes, comment) rows and prints them as an annotated hex dump."""

    WIDTH = 16

    def __init__(self):
        self.rows: list[tuple[int | None, bytes, str]] = []
        self.offset = 0

    def bytes(self, data: bytes, comment: str) -> None:
        for start in range(0, max(len(data), 1), self.WIDTH):
            chunk = data[start : start + self.WIDTH]
            self.rows.append((self.offset + start, chunk, comment if start == 0 else ""))
        self.offset += len(data)

    def note(self, text: str) -> None:
        self.rows.append((None, b"", text))

    def render(self) -> str:
        lines = []
        for offset, data, comment in self.rows:
            if offset is None:
                lines.append(f"{'':6}  {comment}")
            else:
                hex_text = " ".join(f"{b:02x}" for b in data)
                lines.append(f"{offset:06x}  {hex_text:<{self.WIDTH * 3 - 1}}  {comment}".rstrip())
        return "\n".join(lines)


def _timestamp_note(descriptor, data: bytes) -> str:
    """For a life.v1.Timestamp, the instant it encodes."""
    if descriptor.full_name != "life.v1.Timestamp":
        return ""
    values = {1: 0, 2: 0}
    index = 0
    while index < len(data):
        key, key_len = _varint(data, index)
        value, value_len = _varint(data, index + key_len)
        values[key >> 3] = value
        index += key_len + value_len
    moment = datetime.datetime.fromtimestamp(values[1], datetime.timezone.utc)
    return f" = {moment:%Y-%m-%dT%H:%M:%S}.{values[2]:09d}Z"


def dump_message(dump: Dump, data: bytes, descriptor, depth: int) -> None:
    """Annotates the protobuf encoding of one message, field by field (by its descriptor)."""
    pad = "  " * depth
    index = 0
    while index < len(data):
        key, key_len = _varint(data, index)
        number, wire_type = key >> 3, key & 7
        field = descriptor.fields_by_number.get(number)
        name = f"{descriptor.name}.{field.name}" if field else f"unknown field {number}"
        key_bytes = data[index : index + key_len]
        index += key_len
        if wire_type == 0:
            value, value_len = _varint(data, index)
            shown = str(value)
            if field is not None and field.enum_type is not None and value in field.enum_type.values_by_number:
                shown += f" ({field.enum_type.values_by_number[value].name})"
            dump.bytes(key_bytes + data[index : index + value_len], f"{pad}{name} (field {number}, varint) = {shown}")
            index += value_len
        elif wire_type == 2:
            length, len_len = _varint(data, index)
            head = key_bytes + data[index : index + len_len]
            body = data[index + len_len : index + len_len + length]
            index += len_len + length
            if field is not None and field.message_type is not None:
                note = _timestamp_note(field.message_type, body)
                dump.bytes(head, f"{pad}{name} (field {number}, {length}-byte {field.message_type.name}){note}")
                dump_message(dump, body, field.message_type, depth + 1)
            elif field is not None and field.type == field.TYPE_STRING:
                dump.bytes(head, f"{pad}{name} (field {number}, {length}-byte string)")
                if body:
                    dump.bytes(body, f"{pad}  {body.decode('utf-8', 'replace')!r}")
            else:
                dump.bytes(head + body, f"{pad}{name} (field {number}, {length} bytes)")
        elif wire_type in (1, 5):
            size = 8 if wire_type == 1 else 4
            dump.bytes(key_bytes + data[index : index + size], f"{pad}{name} (field {number}, fixed{size * 8})")
            index += size
        else:
            dump.bytes(data[index - key_len :], f"{pad}undecodable (wire type {wire_type})")
            return


def dump_direction(protos: Protos, title: str, segments: list[tuple[str, bytes]], client_to_server: bool) -> str:
    dump = Dump()
    wire, health = protos.wire, protos.health
    payload_class = {
        SETTINGS: wire.Settings,
        HEADERS: wire.CallHeader,
        TRAILER: wire.CallStatus,
        GOAWAY: wire.GoAway,
        MESSAGE: health.HealthCheckRequest if client_to_server else health.HealthCheckResponse,
    }
    for kind, data in segments:
        if kind == "preface":
            dump.note("-- preface --")
            dump.bytes(data[:6], 'magic "LRPC\\r\\n"')
            dump.bytes(data[6:8], f"version = {struct.unpack('>H', data[6:8])[0]}")
            continue
        length, type_, flags, call_id = FRAME_HEADER.unpack(data[:10])
        name = FRAME_NAMES.get(type_, "?")
        dump.note(f"-- {name} frame ({10 + length} bytes) --")
        dump.bytes(data[0:4], f"length = {length}")
        dump.bytes(data[4:5], f"type = 0x{type_:02x} {name}")
        flag_names = {MESSAGE: "END_STREAM", PING: "ACK"}
        flag_text = f" ({flag_names[type_]})" if flags & 1 and type_ in flag_names else ""
        dump.bytes(data[5:6], f"flags = 0x{flags:02x}{flag_text}")
        dump.bytes(data[6:10], f"call id = {call_id}")
        payload = data[10:]
        if not payload:
            meaning = {TRAILER: "CallStatus with every field default = OK", MESSAGE: "message with every field default"}
            dump.note(f"(empty payload: {meaning.get(type_, 'none')})")
        elif type_ == PING:
            dump.bytes(payload, "8 opaque bytes")
        elif type_ in payload_class:
            descriptor = payload_class[type_].DESCRIPTOR
            dump.note(f"payload: {descriptor.full_name}")
            dump_message(dump, payload, descriptor, 1)
        else:
            dump.bytes(payload, "payload")
    total = sum(len(data) for _, data in segments)
    return f"{title} ({total} bytes)\n" + dump.render()


# --- Main ---------------------------------------------------------------------------------


def run(args: argparse.Namespace, protos: Protos) -> str:
    conn = Connection(args.socket, protos)
    try:
        conn.recording = args.hexdump
        conn.start(args.timeout)
        s = conn.settings
        settings_text = (
            f"max_frame_size={s.max_frame_size} max_concurrent_calls={s.max_concurrent_calls} "
            f"max_header_size={s.max_header_size} idle_timeout_ms={s.idle_timeout_ms} "
            f"keepalive_interval_ms={s.keepalive_interval_ms}"
        )

        # Call 1: Health.Check, unary. Service "life.v1.Health" (the server's own Health service).
        check = unary(
            conn,
            1,
            CHECK,
            protos.health.HealthCheckRequest(service="life.v1.Health"),
            protos.health.HealthCheckResponse,
            args.timeout,
        )
        conn.recording = False
        serving = protos.health.ServingStatus.Name(check.status)
        if check.status != protos.health.SERVING_STATUS_SERVING:
            raise InteropError(f"Health.Check says {serving}")
        if args.hexdump:
            print(dump_direction(protos, "client -> server", conn.sent, True))
            print()
            print(dump_direction(protos, "server -> client", conn.received, False))
            print()

        # Call 2: Health.Watch, server-streaming: first message, then CANCEL.
        watched = first_stream_message(
            conn, 2, WATCH, protos.health.HealthWatchRequest(), protos.health.HealthWatchResponse, args.timeout
        )
        watch_status = protos.health.ServingStatus.Name(watched.status)
        if watched.status != protos.health.SERVING_STATUS_SERVING:
            raise InteropError(f"Health.Watch first message says {watch_status}")

        # PING, expecting the ACK (late frames of the cancelled call 2 are ignored).
        round_trip = ping(conn, args.timeout, ignore_calls={2})
        return (
            f"interop OK: lifed {check.server.version}; SETTINGS {settings_text}; "
            f"Health.Check {serving}; Health.Watch first message {watch_status}, then CANCEL; "
            f"PING ACK in {round_trip * 1000:.2f} ms"
        )
    finally:
        conn.close()


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Minimal independent LRPC v1 client (Health over a Unix socket).")
    parser.add_argument("socket", help="path of lifed's Unix socket")
    parser.add_argument("--hexdump", action="store_true", help="print the annotated bytes of the Health.Check call")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds allowed for each step (default 5)")
    parser.add_argument("--protos", default=os.path.join(here, "..", "..", "Protos"), help="folder holding life/v1/*.proto")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="lrpc-protos-") as out_dir:
            protos = Protos(os.path.abspath(args.protos), out_dir)
            print(run(args, protos))
            return 0
    except SetupError as error:
        print(f"interop FAILED (setup): {error}", file=sys.stderr)
        return 2
    except InteropError as error:
        print(f"interop FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
