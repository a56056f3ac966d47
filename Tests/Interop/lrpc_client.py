#!/usr/bin/env python3
"""A minimal, independent LRPC v1 client, written from docs/PROTOCOL.md alone.

It proves that the protocol document is enough to talk to lifed: on one Unix-socket
connection it runs Health.Check (unary), Health.Watch (server-streaming: reads the first
message, then sends CANCEL) and a PING, and exits 0 printing "interop OK ...", or non-zero with
the reason. With --hexdump it also prints the annotated bytes of the Health.Check call in both
directions (the example in docs/PROTOCOL.md §17 is this output).

Then it checks behaviours the document pins down, each on a new connection: an unknown frame
type's GOAWAY message (§15.1), a CallHeader field with the wrong wire type (§4.2), which frames
use call ids and what a MESSAGE for a never-opened id does (§4.2, §4.3), the slot of a call
cancelled before its request (§5.2), the ALREADY_EXISTS text and ListAuditEvents' order (Admin,
over the Unix socket), and — with --tls — that a Login whose deadline passes during its password
hash is answered at the deadline (§6; run lifed with a hash slower than --login-answer-bound).

The messages are compiled at run time from Protos/life/v1/*.proto into a temporary folder with
grpcio-tools' protoc; no generated code is kept.

    python3 lrpc_client.py /path/to/lifed.sock [--hexdump] [--timeout 5] [--protos DIR]
        [--tls HOST:PORT --ca CA.pem --cert CERT.pem --key KEY.pem [--login-answer-bound 1.0]]

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
import ssl
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
        self.message = message


# --- Generated messages -------------------------------------------------------------------


class Protos:
    """The life.v1 messages, compiled from the .proto files at run time."""

    def __init__(self, proto_root: str, out_dir: str):
        try:
            from grpc_tools import protoc
        except ImportError as error:
            raise SetupError(f"grpcio-tools is not installed ({error}); pip install protobuf grpcio-tools")
        folder = os.path.join(proto_root, "life", "v1")
        if not os.path.isfile(os.path.join(folder, "wire.proto")):
            raise SetupError(f"{folder}/wire.proto not found (use --protos)")
        files = sorted(f"life/v1/{name}" for name in os.listdir(folder) if name.endswith(".proto"))
        status = protoc.main(["protoc", f"-I{proto_root}", f"--python_out={out_dir}", *files])
        if status != 0:
            raise SetupError(f"protoc failed with status {status}")
        sys.path.insert(0, out_dir)
        self.wire = importlib.import_module("life.v1.wire_pb2")
        self.health = importlib.import_module("life.v1.health_pb2")
        self.admin = importlib.import_module("life.v1.admin_pb2")
        self.auth = importlib.import_module("life.v1.auth_pb2")

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

    def __init__(self, path: str, protos: Protos, sock: socket.socket | None = None):
        """Connects to the Unix socket at `path`, or uses `sock` (a TLS connection, say)."""
        self.protos = protos
        if sock is not None:
            self.sock = sock
        else:
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


# --- Behaviours the document pins down (§4.2, §4.3, §5.2, §6, §15) ---------------------------


def fresh_connection(args: argparse.Namespace, protos: Protos) -> Connection:
    conn = Connection(args.socket, protos)
    conn.start(args.timeout)
    return conn


def expect_goaway(conn: Connection, timeout: float) -> tuple[str, str]:
    """Reads until the server's GOAWAY; returns its reason and message."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            frame = conn.read_frame(deadline)
        except TimeoutError:
            raise InteropError("no GOAWAY within the timeout")
        if frame.type == GOAWAY:
            goaway = conn.protos.wire.GoAway.FromString(frame.payload)
            return conn.protos.wire.GoAwayReason.Name(goaway.reason).removeprefix("GO_AWAY_REASON_"), goaway.message


def trailer_of(conn: Connection, call_id: int, timeout: float):
    """Reads until the TRAILER of `call_id` (other frames are skipped); returns its CallStatus."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            frame = conn.next_frame(deadline)
        except TimeoutError:
            raise InteropError(f"no TRAILER for call {call_id} within {timeout} s")
        if frame.type == TRAILER and frame.call_id == call_id:
            return conn.protos.wire.CallStatus.FromString(frame.payload)


def check_unknown_frame_type(args: argparse.Namespace, protos: Protos) -> str:
    """§15.1: an unknown frame type is named with two hex digits."""
    conn = fresh_connection(args, protos)
    try:
        conn.send_frame(0x08, 0)
        reason, message = expect_goaway(conn, args.timeout)
    finally:
        conn.close()
    if (reason, message) != ("PROTOCOL_ERROR", "unknown frame type 0x08"):
        raise InteropError(f"frame type 0x08 answered GOAWAY {reason} {message!r}")
    return "frame type 0x08: GOAWAY PROTOCOL_ERROR 'unknown frame type 0x08'"


def check_wrong_wire_type(args: argparse.Namespace, protos: Protos) -> str:
    """§4.2 step 3: a CallHeader field with the wrong wire type is an unknown field, no error."""
    conn = fresh_connection(args, protos)
    try:
        # method (field 1, a string) sent as the varint 5; timeout_ms (field 2) = 5000 as it should be.
        header = bytes([0x08, 0x05, 0x10, 0x88, 0x27])
        conn.send([("frame", encode_frame(HEADERS, 1, header)), ("frame", encode_frame(MESSAGE, 1, b"", END_STREAM))])
        status = trailer_of(conn, 1, args.timeout)
        if protos.code_name(status.code) != "UNIMPLEMENTED":
            raise InteropError(f"a method sent as a varint answered {protos.code_name(status.code)}, expected UNIMPLEMENTED")
        unary(conn, 2, CHECK, protos.health.HealthCheckRequest(), protos.health.HealthCheckResponse, args.timeout)
    finally:
        conn.close()
    return "CallHeader.method as a varint: TRAILER UNIMPLEMENTED, connection goes on"


def check_call_ids(args: argparse.Namespace, protos: Protos) -> str:
    """§4.2 step 1, §4.3: only HEADERS use ids; a MESSAGE in a gap is dropped, above them all it is an error."""
    conn = fresh_connection(args, protos)
    try:
        conn.send_frame(CANCEL, 10)  # never opened: ignored, and uses no id
        unary(conn, 5, CHECK, protos.health.HealthCheckRequest(), protos.health.HealthCheckResponse, args.timeout)
        conn.send_frame(MESSAGE, 4, b"", END_STREAM)  # below 5, never opened: dropped silently
        ping(conn, args.timeout, ignore_calls=set())
        conn.send_frame(MESSAGE, 6, b"", END_STREAM)  # above every HEADERS: a connection error
        reason, message = expect_goaway(conn, args.timeout)
    finally:
        conn.close()
    expected = "protocol violation: MESSAGE for call 6, which was never opened"
    if (reason, message) != ("PROTOCOL_ERROR", expected):
        raise InteropError(f"MESSAGE above every HEADERS id answered GOAWAY {reason} {message!r}")
    return "call ids: CANCEL uses none, a MESSAGE in a gap is dropped, one above every HEADERS is PROTOCOL_ERROR"


def check_cancelled_slot(args: argparse.Namespace, protos: Protos) -> str:
    """§5.2: a call cancelled before its request arrived frees its slot at once."""
    conn = fresh_connection(args, protos)
    try:
        limit = conn.settings.max_concurrent_calls
        header = protos.wire.CallHeader(method=CHECK, timeout_ms=60_000).SerializeToString()
        conn.send([("frame", encode_frame(HEADERS, call_id, header)) for call_id in range(1, limit + 1)])
        conn.send_frame(CANCEL, 1)
        unary(conn, limit + 1, CHECK, protos.health.HealthCheckRequest(), protos.health.HealthCheckResponse, args.timeout)
        conn.send([("frame", encode_frame(CANCEL, call_id)) for call_id in range(2, limit + 1)])
    finally:
        conn.close()
    return f"{limit} calls open, one cancelled before its request: the next call runs"


def check_admin_texts(args: argparse.Namespace, protos: Protos) -> str:
    """§9: ALREADY_EXISTS names the thing once; ListAuditEvents is newest first (admin.proto)."""
    conn = fresh_connection(args, protos)
    try:
        request = protos.admin.CreateFacilityRequest()
        request.facility.facility_number = "2712345673"
        request.facility.name = "相互運用"
        create = "/life.v1.Admin/CreateFacility"
        duplicate = None
        for call_id in (1, 3):
            try:
                unary(conn, call_id, create, request, protos.admin.CreateFacilityResponse, args.timeout)
            except RPCFailure as failure:
                if failure.code_name != "ALREADY_EXISTS" or failure.message.count("already exists") != 1:
                    raise InteropError(f"a duplicate facility answered {failure}")
                duplicate = failure.message
        events = unary(
            conn, 5, "/life.v1.Admin/ListAuditEvents", protos.admin.ListAuditEventsRequest(), protos.admin.ListAuditEventsResponse,
            args.timeout,
        ).events
    finally:
        conn.close()
    if duplicate is None:
        raise InteropError("the same facility was created twice")
    sequences = [event.sequence for event in events]
    if len(sequences) < 2 or sequences != sorted(sequences, reverse=True):
        raise InteropError(f"ListAuditEvents is not newest first: sequences {sequences[:10]}")
    return f"duplicate facility: ALREADY_EXISTS {duplicate!r}; ListAuditEvents newest first ({len(sequences)} events)"


def check_login_deadline(args: argparse.Namespace, protos: Protos) -> str:
    """§6: a Login whose deadline passes during its password hash is answered at the deadline."""
    # The certificate's facility must exist, or the login is refused without a hash.
    admin = fresh_connection(args, protos)
    try:
        request = protos.admin.CreateFacilityRequest()
        request.facility.facility_number = "1312345679"
        request.facility.name = "相互運用A"
        try:
            unary(admin, 1, "/life.v1.Admin/CreateFacility", request, protos.admin.CreateFacilityResponse, args.timeout)
        except RPCFailure as failure:
            if failure.code_name != "ALREADY_EXISTS":
                raise
    finally:
        admin.close()
    host, port = args.tls.rsplit(":", 1)
    context = ssl.create_default_context(cafile=args.ca)
    context.load_cert_chain(args.cert, args.key)
    try:
        raw = socket.create_connection((host, int(port)), timeout=args.timeout)
        sock = context.wrap_socket(raw, server_hostname=host)
    except (OSError, ssl.SSLError) as error:
        raise SetupError(f"cannot connect over TLS to {args.tls}: {error}")
    conn = Connection(args.tls, protos, sock=sock)
    try:
        conn.start(args.timeout)
        header = protos.wire.CallHeader(method="/life.v1.Auth/Login", timeout_ms=50).SerializeToString()
        login = protos.auth.LoginRequest(login_id="interop-nobody", password="Not-The-Password-1").SerializeToString()
        started = time.monotonic()
        conn.send([("frame", encode_frame(HEADERS, 1, header)), ("frame", encode_frame(MESSAGE, 1, login, END_STREAM))])
        status = trailer_of(conn, 1, args.timeout)
        elapsed = time.monotonic() - started
    finally:
        conn.close()
    if protos.code_name(status.code) != "DEADLINE_EXCEEDED":
        raise InteropError(f"Login with a 50 ms deadline answered {protos.code_name(status.code)}: {status.message}")
    if elapsed > args.login_answer_bound:
        raise InteropError(f"Login with a 50 ms deadline was answered after {elapsed:.3f} s: the answer waited for the hash")
    return f"Login with a 50 ms deadline during its hash: DEADLINE_EXCEEDED after {elapsed * 1000:.0f} ms"


def behaviours(args: argparse.Namespace, protos: Protos) -> list[str]:
    checks = [check_unknown_frame_type, check_wrong_wire_type, check_call_ids, check_cancelled_slot, check_admin_texts]
    if args.tls:
        checks.append(check_login_deadline)
    return [check(args, protos) for check in checks]


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
    parser.add_argument("--tls", help="host:port of lifed's TLS listener, for the Login deadline check (§6)")
    parser.add_argument("--ca", help="CA certificate (PEM) for --tls")
    parser.add_argument("--cert", help="client certificate (PEM) for --tls")
    parser.add_argument("--key", help="client private key (PEM) for --tls")
    parser.add_argument(
        "--login-answer-bound", type=float, default=1.0,
        help="seconds within which a Login with a 50 ms deadline must be answered (run lifed with a slower hash than this)",
    )
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="lrpc-protos-") as out_dir:
            protos = Protos(os.path.abspath(args.protos), out_dir)
            print(run(args, protos))
            for line in behaviours(args, protos):
                print(f"interop OK: {line}")
            return 0
    except SetupError as error:
        print(f"interop FAILED (setup): {error}", file=sys.stderr)
        return 2
    except InteropError as error:
        print(f"interop FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
