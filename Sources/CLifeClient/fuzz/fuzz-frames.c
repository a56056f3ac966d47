/* libFuzzer target over the client's incoming-frame path (life_conn_ingest): everything a
 * hostile or broken server can send after the TCP/TLS layer. Build: `make fuzz` (clang,
 * -fsanitize=fuzzer,address,undefined); run: build/fuzz-frames -runs=200000.
 *
 * Input layout: byte 0 picks the start state (bit 0: prepend a valid preface and SETTINGS so
 * the fuzzer reaches frame dispatch at once; bits 1-3: how many bytes to feed per chunk, to
 * vary how frames are split), the rest is the server's byte stream. Two calls are open: a
 * unary call with id 1 and a stream with id 3, so MESSAGE/TRAILER/GOAWAY reach real calls. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "life/v1/health.pb-c.h"
#include "life/v1/wire.pb-c.h"

static const life_method unary_method = {"/life.v1.Health/Check", &life__v1__health_check_request__descriptor,
    &life__v1__health_check_response__descriptor, LIFE_METHOD_UNARY};
static const life_method stream_method = {"/life.v1.Health/Watch", &life__v1__health_watch_request__descriptor,
    &life__v1__health_watch_response__descriptor, LIFE_METHOD_SERVER_STREAMING};

static void open_call(life_conn *conn, life_call *call, uint32_t id, const life_method *method)
{
    memset(call, 0, sizeof *call);
    call->id = id;
    call->method = method;
    call->deadline_ns = INT64_MAX;
    life_conn_register(conn, call);
}

static void drain(life_call *call)
{
    /* What the runtime does with what arrived: decode queued messages. */
    for (life_msg *msg = call->head; msg != NULL; msg = msg->next) {
        ProtobufCMessage *decoded = protobuf_c_message_unpack(call->method->output, NULL, msg->len, msg->data);
        if (decoded != NULL) {
            protobuf_c_message_free_unpacked(decoded, NULL);
        }
    }
    if (call->conn != NULL) {
        life_conn_unregister(call->conn, call);
    }
    life_call_clear_queue(call);
    life_error_free(call->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    /* A small receive limit and stream buffer so the limits are exercised too. */
    life_conn *conn = life_conn_new(4096, 8192);
    if (conn == NULL) {
        return 0;
    }
    life_call unary;
    life_call stream;
    open_call(conn, &unary, 1, &unary_method);
    open_call(conn, &stream, 3, &stream_method);
    if (mode & 1) {
        uint8_t start[64];
        memcpy(start, life_preface, LIFE_PREFACE_SIZE);
        /* SETTINGS: max_frame_size 4096, max_concurrent_calls 8, max_header_size 1024. */
        static const uint8_t settings[] = {0x08, 0x80, 0x20, 0x10, 0x08, 0x18, 0x80, 0x08};
        uint8_t header[LIFE_FRAME_HEADER_SIZE] = {0, 0, 0, sizeof settings, LIFE_FRAME_SETTINGS, 0, 0, 0, 0, 0};
        memcpy(start + LIFE_PREFACE_SIZE, header, sizeof header);
        memcpy(start + LIFE_PREFACE_SIZE + sizeof header, settings, sizeof settings);
        life_conn_ingest(conn, start, LIFE_PREFACE_SIZE + sizeof header + sizeof settings);
    }
    size_t chunk = (size_t)1 << ((mode >> 1) & 7); /* 1 .. 128 bytes per read */
    for (size_t offset = 0; offset < size && !conn->closed; offset += chunk) {
        size_t n = size - offset < chunk ? size - offset : chunk;
        life_conn_ingest(conn, data + offset, n);
        /* The buffer never holds more than one frame within the limit plus one read. */
        if (conn->in.len > LIFE_FRAME_HEADER_SIZE + conn->receive_limit + chunk) {
            __builtin_trap();
        }
    }
    drain(&unary);
    drain(&stream);
    life_conn_free(conn);
    return 0;
}
