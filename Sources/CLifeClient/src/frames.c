/* The incoming frame path (docs/PROTOCOL.md §2-§4, §12): preface check, header validation
 * before any payload is buffered, dispatch of SETTINGS, MESSAGE, TRAILER, PING and GOAWAY to
 * the connection and its calls. No I/O happens here: frames owed to the server (PING ACK,
 * CANCEL) are appended to conn->out. This is what the fuzz target drives. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "life/v1/wire.pb-c.h"

const uint8_t life_preface[LIFE_PREFACE_SIZE] = {0x4c, 0x52, 0x50, 0x43, 0x0d, 0x0a, 0x00, 0x01};

/* ---- buffers --------------------------------------------------------------------------- */

int life_buf_reserve(life_buf *buf, size_t extra)
{
    if (buf->cap - buf->len >= extra) {
        return 0;
    }
    if (extra > SIZE_MAX / 2 - buf->len) {
        return -1;
    }
    size_t want = buf->len + extra;
    size_t cap = buf->cap < 4096 ? 4096 : buf->cap;
    while (cap < want) {
        cap *= 2;
    }
    uint8_t *data = realloc(buf->data, cap);
    if (data == NULL) {
        return -1;
    }
    buf->data = data;
    buf->cap = cap;
    return 0;
}

int life_buf_append(life_buf *buf, const void *data, size_t len)
{
    if (len == 0) {
        return 0;
    }
    if (life_buf_reserve(buf, len) != 0) {
        return -1;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return 0;
}

void life_buf_consume(life_buf *buf, size_t count)
{
    if (count >= buf->len) {
        buf->len = 0;
    } else {
        memmove(buf->data, buf->data + count, buf->len - count);
        buf->len -= count;
    }
    /* Give back memory a large frame needed once. */
    if (buf->len == 0 && buf->cap > (1u << 20)) {
        free(buf->data);
        buf->data = NULL;
        buf->cap = 0;
    }
}

void life_buf_free(life_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int life_frame_append(life_buf *out, uint8_t type, uint8_t flags, uint32_t call_id,
    const uint8_t *payload, size_t len)
{
    if (len > UINT32_MAX || life_buf_reserve(out, LIFE_FRAME_HEADER_SIZE + len) != 0) {
        return -1;
    }
    uint8_t *p = out->data + out->len;
    put_u32(p, (uint32_t)len);
    p[4] = type;
    p[5] = flags;
    put_u32(p + 6, call_id);
    if (len > 0) {
        memcpy(p + LIFE_FRAME_HEADER_SIZE, payload, len);
    }
    out->len += LIFE_FRAME_HEADER_SIZE + len;
    return 0;
}

/* ---- calls ----------------------------------------------------------------------------- */

void life_conn_register(life_conn *conn, life_call *call)
{
    call->conn = conn;
    call->prev = NULL;
    call->next = conn->calls;
    if (conn->calls != NULL) {
        conn->calls->prev = call;
    }
    conn->calls = call;
    conn->open_calls++;
}

void life_conn_unregister(life_conn *conn, life_call *call)
{
    if (call->conn != conn) {
        return;
    }
    if (call->prev != NULL) {
        call->prev->next = call->next;
    } else {
        conn->calls = call->next;
    }
    if (call->next != NULL) {
        call->next->prev = call->prev;
    }
    call->prev = call->next = NULL;
    call->conn = NULL;
    conn->open_calls--;
}

static life_call *find_call(life_conn *conn, uint32_t id)
{
    for (life_call *call = conn->calls; call != NULL; call = call->next) {
        if (call->id == id) {
            return call;
        }
    }
    return NULL;
}

void life_call_clear_queue(life_call *call)
{
    life_msg *msg = call->head;
    while (msg != NULL) {
        life_msg *next = msg->next;
        free(msg);
        msg = next;
    }
    call->head = call->tail = NULL;
    call->queued_bytes = 0;
}

void life_call_finish(life_call *call, life_code code, life_error *error)
{
    if (call->finished) {
        life_error_free(error);
        return;
    }
    call->finished = 1;
    call->code = code;
    call->error = error;
    if (call->conn != NULL) {
        life_conn_unregister(call->conn, call);
    }
}

void life_call_fail_local(life_call *call, life_code code, const char *message)
{
    if (call->finished) {
        return;
    }
    life_conn *conn = call->conn;
    if (conn != NULL && !conn->closed) {
        /* CANCEL goes behind the call's HEADERS in the same ordered buffer (§7). If memory runs
         * out the server keeps the call until its deadline; nothing else breaks. */
        (void)life_frame_append(&conn->out, LIFE_FRAME_CANCEL, 0, call->id, NULL, 0);
    }
    life_call_clear_queue(call);
    life_call_finish(call, code, life_error_new(code, message));
}

/* ---- connection ------------------------------------------------------------------------ */

life_conn *life_conn_new(uint32_t configured_receive_limit, size_t max_stream_buffer)
{
    life_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) {
        return NULL;
    }
    conn->fd = -1;
    conn->configured_receive_limit = configured_receive_limit;
    conn->receive_limit = LIFE_PRE_SETTINGS_FRAME_LIMIT;
    conn->max_stream_buffer = max_stream_buffer;
    conn->next_call_id = 1;
    return conn;
}

static life_error *connection_error(const life_conn *conn, const life_call *call, life_code code,
    const char *message, int retryable)
{
    life_error *error = life_error_new(code, message);
    if (error == NULL) {
        return NULL;
    }
    if (conn->goaway) {
        life_error_set_goaway(error, conn->goaway_reason);
        if (call != NULL && call->id > conn->goaway_last_id) {
            retryable = 1;
        }
    }
    /* Not one byte of the call's HEADERS left this process: the server never saw it. */
    if (call != NULL && call->wire_offset >= conn->sent_total) {
        retryable = 1;
    }
    life_error_set_retryable(error, retryable);
    return error;
}

void life_conn_fail(life_conn *conn, life_code code, const char *message, int retryable)
{
    if (!conn->closed) {
        conn->closed = 1;
        conn->close_code = code;
        conn->close_retryable = retryable;
        conn->close_message = strdup(message);
    }
    while (conn->calls != NULL) {
        life_call *call = conn->calls;
        life_call_finish(call, code, connection_error(conn, call, code, message, retryable));
    }
}

void life_conn_eof(life_conn *conn, const char *detail)
{
    char text[600];
    if (conn->goaway) {
        snprintf(text, sizeof text, "connection closed after GOAWAY %s: %s",
            life_goaway_reason_name(conn->goaway_reason),
            conn->goaway_message != NULL ? conn->goaway_message : "");
    } else if (!conn->settings_ok) {
        snprintf(text, sizeof text, "connection closed before SETTINGS (refused?)%s%s",
            detail != NULL ? ": " : "", detail != NULL ? detail : "");
    } else {
        snprintf(text, sizeof text, "connection closed by the server%s%s",
            detail != NULL ? ": " : "", detail != NULL ? detail : "");
    }
    life_conn_fail(conn, LIFE_UNAVAILABLE, text, !conn->settings_ok);
}

static void protocol_failure(life_conn *conn, life_code code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void protocol_failure(life_conn *conn, life_code code, const char *format, ...)
{
    char text[400];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    life_conn_fail(conn, code, text, 0);
}

void life_conn_free(life_conn *conn)
{
    if (conn == NULL) {
        return;
    }
    while (conn->calls != NULL) {
        life_call *call = conn->calls;
        life_call_clear_queue(call);
        life_call_finish(call, LIFE_CANCELLED, life_error_new(LIFE_CANCELLED, "the client was closed"));
    }
    if (conn->ssl != NULL) {
        SSL_free(conn->ssl);
    }
    if (conn->fd >= 0) {
        close(conn->fd);
    }
    life_buf_free(&conn->in);
    life_buf_free(&conn->out);
    free(conn->goaway_message);
    free(conn->close_message);
    free(conn);
}

/* ---- dispatch -------------------------------------------------------------------------- */

static void on_settings(life_conn *conn, const uint8_t *payload, size_t len)
{
    if (conn->settings_ok) {
        protocol_failure(conn, LIFE_INTERNAL, "server sent a second SETTINGS frame");
        return;
    }
    Life__V1__Settings *settings = life__v1__settings__unpack(NULL, len, payload);
    if (settings == NULL) {
        protocol_failure(conn, LIFE_INTERNAL, "server SETTINGS payload is not a valid life.v1.Settings");
        return;
    }
    /* A missing field reads 0; the documented defaults stand in (§4.1, §13). */
    conn->settings.max_frame_size = settings->max_frame_size != 0 ? settings->max_frame_size : 4194304u;
    conn->settings.max_concurrent_calls = settings->max_concurrent_calls != 0 ? settings->max_concurrent_calls : 128u;
    conn->settings.max_header_size = settings->max_header_size != 0 ? settings->max_header_size : 16384u;
    conn->settings.idle_timeout_ms = settings->idle_timeout_ms;
    conn->settings.keepalive_interval_ms = settings->keepalive_interval_ms;
    life__v1__settings__free_unpacked(settings, NULL);
    uint32_t limit = conn->settings.max_frame_size;
    if (limit > LIFE_MAX_FRAME_CEILING) {
        limit = LIFE_MAX_FRAME_CEILING;
    }
    if (limit < LIFE_PRE_SETTINGS_FRAME_LIMIT) {
        limit = LIFE_PRE_SETTINGS_FRAME_LIMIT; /* trailers and GOAWAYs must still fit */
    }
    if (conn->configured_receive_limit != 0 && conn->configured_receive_limit < limit) {
        limit = conn->configured_receive_limit;
    }
    conn->receive_limit = limit;
    conn->settings_ok = 1;
}

static void on_message(life_conn *conn, uint32_t id, const uint8_t *payload, size_t len)
{
    life_call *call = find_call(conn, id);
    if (call == NULL) {
        return; /* cancelled or unknown: ignored (§4.3) */
    }
    if (call->method->kind == LIFE_METHOD_UNARY && call->messages_received > 0) {
        life_call_fail_local(call, LIFE_INTERNAL, "server sent a second response on a unary call");
        return;
    }
    if (call->method->kind == LIFE_METHOD_SERVER_STREAMING
        && (call->queued_bytes > conn->max_stream_buffer || len > conn->max_stream_buffer - call->queued_bytes)) {
        life_call_fail_local(call, LIFE_RESOURCE_EXHAUSTED,
            "stream messages not read: more than the stream buffer limit is queued");
        return;
    }
    life_msg *msg = malloc(sizeof *msg + len);
    if (msg == NULL) {
        life_call_fail_local(call, LIFE_RESOURCE_EXHAUSTED, "out of memory for a response message");
        return;
    }
    msg->next = NULL;
    msg->len = len;
    if (len > 0) {
        memcpy(msg->data, payload, len);
    }
    if (call->tail != NULL) {
        call->tail->next = msg;
    } else {
        call->head = msg;
    }
    call->tail = msg;
    call->queued_bytes += len;
    call->messages_received++;
}

static void on_trailer(life_conn *conn, uint32_t id, const uint8_t *payload, size_t len)
{
    life_call *call = find_call(conn, id);
    if (call == NULL) {
        return;
    }
    if (len == 0) {
        if (call->method->kind == LIFE_METHOD_UNARY && call->messages_received == 0) {
            life_call_fail_local(call, LIFE_INTERNAL, "server ended a unary call OK without a response");
            return;
        }
        life_call_finish(call, LIFE_OK, NULL);
        return;
    }
    Life__V1__CallStatus *status = life__v1__call_status__unpack(NULL, len, payload);
    if (status == NULL) {
        life_call_fail_local(call, LIFE_INTERNAL, "server TRAILER is not a valid life.v1.CallStatus");
        return;
    }
    life_error *error = NULL;
    life_code code = LIFE_UNKNOWN;
    int number = (int)status->code;
    if (number == 0) {
        code = LIFE_OK;
    } else {
        error = life_error_from_status(status);
        code = (number > 0 && number <= 16) ? (life_code)number : LIFE_UNKNOWN;
    }
    life__v1__call_status__free_unpacked(status, NULL);
    if (code == LIFE_OK && call->method->kind == LIFE_METHOD_UNARY && call->messages_received == 0) {
        life_call_fail_local(call, LIFE_INTERNAL, "server ended a unary call OK without a response");
        return;
    }
    life_call_finish(call, code, error);
}

static void on_ping(life_conn *conn, uint8_t flags, const uint8_t *payload)
{
    if (flags & LIFE_FLAG_ACK) {
        if (conn->ping_outstanding && memcmp(payload, conn->ping_payload, 8) == 0) {
            conn->ping_outstanding = 0;
        }
        return;
    }
    if (conn->out.len > LIFE_MAX_PENDING_OUTPUT) {
        /* A server that pings but does not read would make the answers pile up. */
        protocol_failure(conn, LIFE_RESOURCE_EXHAUSTED, "server sends PINGs but does not read the answers");
        return;
    }
    if (life_frame_append(&conn->out, LIFE_FRAME_PING, LIFE_FLAG_ACK, 0, payload, 8) != 0) {
        protocol_failure(conn, LIFE_RESOURCE_EXHAUSTED, "out of memory answering a PING");
    }
}

static void on_goaway(life_conn *conn, const uint8_t *payload, size_t len)
{
    Life__V1__GoAway *goaway = life__v1__go_away__unpack(NULL, len, payload);
    if (goaway == NULL) {
        protocol_failure(conn, LIFE_INTERNAL, "server GOAWAY payload is not a valid life.v1.GoAway");
        return;
    }
    if (!conn->goaway || goaway->last_call_id < conn->goaway_last_id) {
        conn->goaway_last_id = goaway->last_call_id;
    }
    conn->goaway = 1;
    conn->goaway_reason = (int)goaway->reason;
    free(conn->goaway_message);
    conn->goaway_message = strdup(goaway->message != NULL ? goaway->message : "");
    life__v1__go_away__free_unpacked(goaway, NULL);
    /* Calls the server never saw fail now, retryable (§12). Others go on until their
     * trailer or the end of the stream. */
    char text[600];
    snprintf(text, sizeof text, "server sent GOAWAY %s before taking this call (%s); retry on a new connection",
        life_goaway_reason_name(conn->goaway_reason), conn->goaway_message != NULL ? conn->goaway_message : "");
    life_call *call = conn->calls;
    while (call != NULL) {
        life_call *next = call->next;
        if (call->id > conn->goaway_last_id) {
            life_call_clear_queue(call);
            life_call_finish(call, LIFE_UNAVAILABLE, connection_error(conn, call, LIFE_UNAVAILABLE, text, 1));
        }
        call = next;
    }
}

static void dispatch(life_conn *conn, uint8_t type, uint8_t flags, uint32_t id, const uint8_t *payload,
    size_t len)
{
    int connection_level = type == LIFE_FRAME_SETTINGS || type == LIFE_FRAME_PING || type == LIFE_FRAME_GOAWAY;
    if (connection_level && id != 0) {
        protocol_failure(conn, LIFE_INTERNAL, "server frame 0x%02x on call %u: connection frames use call id 0",
            type, id);
        return;
    }
    if (!connection_level && id == 0) {
        protocol_failure(conn, LIFE_INTERNAL, "server frame 0x%02x on call id 0", type);
        return;
    }
    if (!conn->settings_ok && type != LIFE_FRAME_SETTINGS && type != LIFE_FRAME_GOAWAY && type != LIFE_FRAME_PING) {
        protocol_failure(conn, LIFE_INTERNAL, "server sent frame 0x%02x before SETTINGS", type);
        return;
    }
    switch (type) {
    case LIFE_FRAME_SETTINGS:
        on_settings(conn, payload, len);
        break;
    case LIFE_FRAME_MESSAGE:
        on_message(conn, id, payload, len);
        break;
    case LIFE_FRAME_TRAILER:
        on_trailer(conn, id, payload, len);
        break;
    case LIFE_FRAME_PING:
        if (len != 8) {
            protocol_failure(conn, LIFE_INTERNAL, "server PING payload of %zu bytes (must be 8)", len);
            return;
        }
        on_ping(conn, flags, payload);
        break;
    case LIFE_FRAME_GOAWAY:
        on_goaway(conn, payload, len);
        break;
    default: /* HEADERS, CANCEL: client-only frames */
        protocol_failure(conn, LIFE_INTERNAL, "server sent frame type 0x%02x, which only clients send", type);
        break;
    }
}

int life_conn_ingest(life_conn *conn, const uint8_t *data, size_t len)
{
    if (conn->closed) {
        return -1;
    }
    if (life_buf_append(&conn->in, data, len) != 0) {
        protocol_failure(conn, LIFE_RESOURCE_EXHAUSTED, "out of memory reading from the server");
        return -1;
    }
    size_t pos = 0;
    const uint8_t *buf = conn->in.data;
    size_t avail = conn->in.len;
    if (!conn->preface_ok) {
        size_t have = avail < LIFE_PREFACE_SIZE ? avail : LIFE_PREFACE_SIZE;
        if (memcmp(buf, life_preface, have < 6 ? have : 6) != 0) {
            protocol_failure(conn, LIFE_UNAVAILABLE, "the server is not an LRPC server (bad preface)");
            return -1;
        }
        if (have < LIFE_PREFACE_SIZE) {
            return 0;
        }
        if (buf[6] != 0x00 || buf[7] != 0x01) {
            protocol_failure(conn, LIFE_UNAVAILABLE, "the server speaks LRPC version %u; this client speaks 1",
                ((unsigned)buf[6] << 8) | buf[7]);
            return -1;
        }
        conn->preface_ok = 1;
        pos = LIFE_PREFACE_SIZE;
    }
    while (!conn->closed && avail - pos >= LIFE_FRAME_HEADER_SIZE) {
        const uint8_t *h = buf + pos;
        uint32_t length = get_u32(h);
        uint8_t type = h[4];
        uint8_t flags = h[5];
        uint32_t id = get_u32(h + 6);
        /* Validate from the header alone, before buffering the payload (§3). */
        if (type < LIFE_FRAME_SETTINGS || type > LIFE_FRAME_GOAWAY) {
            protocol_failure(conn, LIFE_INTERNAL, "server sent unknown frame type 0x%02x", type);
            break;
        }
        if (length > conn->receive_limit) {
            protocol_failure(conn, LIFE_RESOURCE_EXHAUSTED,
                "server frame of %u bytes exceeds this client's limit of %u bytes", length, conn->receive_limit);
            break;
        }
        if (avail - pos - LIFE_FRAME_HEADER_SIZE < length) {
            break;
        }
        dispatch(conn, type, flags, id, h + LIFE_FRAME_HEADER_SIZE, length);
        pos += LIFE_FRAME_HEADER_SIZE + length;
    }
    if (conn->closed) {
        life_buf_consume(&conn->in, conn->in.len);
        return -1;
    }
    life_buf_consume(&conn->in, pos);
    return 0;
}
