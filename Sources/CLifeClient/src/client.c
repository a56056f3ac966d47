/* life_client: connections (reopened on demand), the blocking pump, unary calls and streams
 * (docs/PROTOCOL.md §2, §5-§7, §11-§13). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"
#include "life/v1/wire.pb-c.h"

struct life_stream {
    life_client *client;
    life_call call;
    int ended;                  /* outcome already handed to the caller once */
    struct life_stream *prev;
    struct life_stream *next;
};

struct life_client {
    life_config config;
    SSL_CTX *tls;
    BIO_METHOD *bio_method;
    life_conn *conn;
    life_stream *streams;
};

/* Creates an error, hands it to the caller (or frees it) and returns `code`, whatever memory
 * allowed. */
static life_code fail(life_error **out, life_code code, int retryable, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static life_code fail(life_error **out, life_code code, int retryable, const char *format, ...)
{
    char text[600];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    life_error *error = life_error_new(code, text);
    life_error_set_retryable(error, retryable);
    life_error_give(error, out);
    return code;
}

static int64_t deadline_after(int64_t now, uint64_t timeout_ms)
{
    if (timeout_ms == LIFE_NO_DEADLINE || timeout_ms > (uint64_t)(INT64_MAX - now) / 1000000) {
        return INT64_MAX;
    }
    return now + (int64_t)timeout_ms * 1000000;
}

/* ---- the pump -------------------------------------------------------------------------- */

typedef int (*life_done_fn)(const life_conn *conn, const void *arg);

typedef enum {
    PUMP_DONE,
    PUMP_CLOSED,
    PUMP_TIMEOUT,
    PUMP_CANCELLED,
} pump_result;

/* Serves the connection (reads, dispatches, answers PINGs, writes what is queued) until
 * done(), the end of the connection, the deadline, or the cancel signal. */
static pump_result pump(life_conn *conn, life_done_fn done, const void *arg, int64_t deadline_ns,
    const life_cancel *cancel)
{
    int polled = 0;
    for (;;) {
        if (done != NULL && done(conn, arg)) {
            (void)life_transport_flush(conn);
            return PUMP_DONE;
        }
        if (conn->closed) {
            return PUMP_CLOSED;
        }
        if (cancel != NULL && life_cancel_is_triggered(cancel)) {
            return PUMP_CANCELLED;
        }
        if (life_transport_flush(conn) < 0) {
            continue;
        }
        if (life_transport_has_pending(conn)) {
            (void)life_transport_read(conn);
            continue;
        }
        int64_t now = life_now_ns();
        int timeout;
        if (now >= deadline_ns) {
            if (polled) {
                return PUMP_TIMEOUT;
            }
            timeout = 0; /* look once at what is already there */
        } else {
            int64_t left_ms = deadline_ns == INT64_MAX ? 1000000000 : (deadline_ns - now + 999999) / 1000000;
            timeout = left_ms > 1000000000 ? 1000000000 : (int)left_ms;
        }
        polled = 1;
        struct pollfd fds[2];
        fds[0].fd = conn->fd;
        fds[0].events = POLLIN;
        if (conn->out.len > 0 || conn->ssl_wants_write) {
            fds[0].events |= POLLOUT;
        }
        fds[0].revents = 0;
        nfds_t count = 1;
        int cancel_fd = life_cancel_fd(cancel);
        if (cancel_fd >= 0) {
            fds[1].fd = cancel_fd;
            fds[1].events = POLLIN;
            fds[1].revents = 0;
            count = 2;
        }
        int n = poll(fds, count, timeout);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            life_conn_eof(conn, "poll failed");
            continue;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            /* Drain what is there so one wake-up handles a burst of frames. */
            for (int i = 0; i < 64 && life_transport_read(conn) > 0; i++) {
            }
        }
        if (fds[0].revents & POLLOUT) {
            (void)life_transport_flush(conn);
        }
    }
}

static int settings_arrived(const life_conn *conn, const void *arg)
{
    (void)arg;
    return conn->settings_ok;
}

static int call_finished(const life_conn *conn, const void *arg)
{
    (void)conn;
    return ((const life_call *)arg)->finished;
}

static int stream_ready(const life_conn *conn, const void *arg)
{
    (void)conn;
    const life_call *call = arg;
    return call->finished || call->head != NULL;
}

static int ping_answered(const life_conn *conn, const void *arg)
{
    (void)arg;
    return !conn->ping_outstanding;
}

/* ---- connections ----------------------------------------------------------------------- */

static life_code connect_now(life_client *client, int64_t deadline_ns, life_error **error)
{
    int64_t connect_deadline = deadline_after(life_now_ns(), client->config.connect_timeout_ms);
    if (deadline_ns < connect_deadline) {
        connect_deadline = deadline_ns;
    }
    life_conn *conn = life_conn_new(client->config.max_receive_frame_size, client->config.max_stream_buffer);
    if (conn == NULL) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    char text[600];
    life_code code = life_transport_connect(conn, &client->config, client->tls, client->bio_method,
        connect_deadline, text, sizeof text);
    if (code != LIFE_OK) {
        life_conn_free(conn);
        /* Nothing was sent: safe to retry, except when the certificate was refused. */
        return fail(error, code, code != LIFE_UNAUTHENTICATED && code != LIFE_INVALID_ARGUMENT, "%s", text);
    }
    if (life_buf_append(&conn->out, life_preface, LIFE_PREFACE_SIZE) != 0) {
        life_conn_free(conn);
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    pump_result result = pump(conn, settings_arrived, NULL, connect_deadline, NULL);
    if (result == PUMP_DONE && !conn->closed) {
        client->conn = conn;
        return LIFE_OK;
    }
    if (result == PUMP_TIMEOUT && !conn->closed) {
        code = fail(error, LIFE_DEADLINE_EXCEEDED, 1, "no LRPC preface and SETTINGS from the server in time");
    } else if (conn->goaway) {
        code = fail(error, LIFE_UNAVAILABLE, 1, "the server refused the connection: GOAWAY %s: %s",
            life_goaway_reason_name(conn->goaway_reason), conn->goaway_message != NULL ? conn->goaway_message : "");
        if (error != NULL && *error != NULL) {
            life_error_set_goaway(*error, conn->goaway_reason);
        }
    } else {
        code = conn->close_code != LIFE_OK ? conn->close_code : LIFE_UNAVAILABLE;
        code = fail(error, code, conn->close_retryable, "%s",
            conn->close_message != NULL ? conn->close_message : "connection failed");
    }
    life_conn_free(conn);
    return code;
}

/* Makes sure a connection that can take a new call is there: handles what the server sent
 * meanwhile (PINGs, GOAWAY, end of stream) and reconnects when the old one is finished. */
static life_code ensure_connection(life_client *client, int64_t deadline_ns, life_error **error)
{
    life_conn *conn = client->conn;
    if (conn != NULL && !conn->closed) {
        (void)pump(conn, NULL, NULL, 0, NULL);
    }
    if (conn != NULL && !conn->closed && !conn->goaway && !conn->ids_exhausted) {
        return LIFE_OK;
    }
    if (conn != NULL) {
        if (conn->open_calls > 0) {
            return fail(error, LIFE_UNAVAILABLE, 1,
                "the connection is ending (%s) and streams are still open on it; retry once they are closed",
                conn->goaway ? life_goaway_reason_name(conn->goaway_reason) : "closed");
        }
        life_conn_free(conn);
        client->conn = NULL;
    }
    return connect_now(client, deadline_ns, error);
}

life_code life_client_new(const life_config *config, life_client **out, life_error **error)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (config == NULL || out == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "life_client_new needs a configuration and an output pointer");
    }
    if (config->transport == LIFE_TRANSPORT_NONE) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "no transport: call life_config_set_unix or life_config_set_tls");
    }
    life_client *client = calloc(1, sizeof *client);
    if (client == NULL || life_config_copy(&client->config, config) != 0) {
        free(client);
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 0, "out of memory");
    }
    if (config->transport == LIFE_TRANSPORT_TLS) {
        life_error *tls_error = NULL;
        client->tls = life_tls_context_new(&client->config, &tls_error);
        client->bio_method = life_bio_method_new();
        if (client->tls == NULL || client->bio_method == NULL) {
            life_code code = tls_error != NULL ? life_error_code(tls_error) : LIFE_RESOURCE_EXHAUSTED;
            if (tls_error == NULL) {
                fail(error, code, 0, "out of memory");
            } else {
                life_error_give(tls_error, error);
            }
            life_client_free(client);
            return code;
        }
    }
    life_code code = connect_now(client, INT64_MAX, error);
    if (code != LIFE_OK) {
        life_client_free(client);
        return code;
    }
    *out = client;
    return LIFE_OK;
}

void life_client_free(life_client *client)
{
    if (client == NULL) {
        return;
    }
    for (life_stream *stream = client->streams; stream != NULL; stream = stream->next) {
        stream->client = NULL;
    }
    if (client->conn != NULL) {
        /* Best effort: tell the server about streams we abandon, without waiting. */
        for (life_call *call = client->conn->calls; call != NULL; call = call->next) {
            (void)life_frame_append(&client->conn->out, LIFE_FRAME_CANCEL, 0, call->id, NULL, 0);
        }
        if (!client->conn->closed) {
            (void)life_transport_flush(client->conn);
        }
        life_conn_free(client->conn);
    }
    SSL_CTX_free(client->tls);
    BIO_meth_free(client->bio_method);
    life_config_clear(&client->config);
    free(client);
}

const life_settings *life_client_settings(const life_client *client)
{
    static const life_settings none = {0, 0, 0, 0, 0};
    return client->conn != NULL ? &client->conn->settings : &none;
}

int life_client_fd(const life_client *client)
{
    return client->conn != NULL && !client->conn->closed ? client->conn->fd : -1;
}

life_code life_client_poll(life_client *client, uint64_t timeout_ms, life_error **error)
{
    if (error != NULL) {
        *error = NULL;
    }
    life_conn *conn = client->conn;
    if (conn == NULL || conn->closed) {
        return fail(error, LIFE_UNAVAILABLE, 1, "not connected (the next call reconnects)");
    }
    pump_result result = pump(conn, NULL, NULL, deadline_after(life_now_ns(), timeout_ms), NULL);
    if (result == PUMP_CLOSED) {
        return fail(error, LIFE_UNAVAILABLE, 1, "%s",
            conn->close_message != NULL ? conn->close_message : "the connection ended");
    }
    return LIFE_OK;
}

life_code life_client_ping(life_client *client, uint64_t timeout_ms, uint64_t *round_trip_us, life_error **error)
{
    if (error != NULL) {
        *error = NULL;
    }
    int64_t start = life_now_ns();
    int64_t deadline = deadline_after(start, timeout_ms != 0 ? timeout_ms : client->config.default_timeout_ms);
    life_code code = ensure_connection(client, deadline, error);
    if (code != LIFE_OK) {
        return code;
    }
    life_conn *conn = client->conn;
    uint64_t sequence = ++conn->ping_sequence;
    for (int i = 0; i < 8; i++) {
        conn->ping_payload[i] = (uint8_t)(sequence >> (56 - 8 * i));
    }
    if (life_frame_append(&conn->out, LIFE_FRAME_PING, 0, 0, conn->ping_payload, 8) != 0) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    conn->ping_outstanding = 1;
    start = life_now_ns();
    pump_result result = pump(conn, ping_answered, NULL, deadline, NULL);
    if (result == PUMP_DONE) {
        if (round_trip_us != NULL) {
            *round_trip_us = (uint64_t)((life_now_ns() - start) / 1000);
        }
        return LIFE_OK;
    }
    if (result == PUMP_TIMEOUT) {
        return fail(error, LIFE_DEADLINE_EXCEEDED, 0, "no PING answer in time");
    }
    return fail(error, LIFE_UNAVAILABLE, 0, "%s", conn->close_message != NULL ? conn->close_message : "connection ended");
}

/* ---- starting a call ------------------------------------------------------------------- */

static int valid_metadata_key(const char *key)
{
    if (key == NULL || key[0] == '\0') {
        return 0;
    }
    for (const char *p = key; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
            return 0;
        }
    }
    return 1;
}

/* Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF): a metadata value
 * that is not would make the whole CallHeader unparsable, a connection error (§8). */
static int valid_utf8(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p != 0) {
        unsigned char c = *p;
        int extra;
        uint32_t code;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            code = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            code = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            code = c & 0x07;
        } else {
            return 0;
        }
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return 0;
            }
            code = (code << 6) | (p[i] & 0x3f);
        }
        if ((extra == 2 && code < 0x800) || (extra == 3 && (code < 0x10000 || code > 0x10ffff))
            || (code >= 0xd800 && code <= 0xdfff)) {
            return 0;
        }
        p += extra + 1;
    }
    return 1;
}

/* Encodes the CallHeader (§4.2, §8). Returns a malloc'd buffer or NULL. */
static uint8_t *encode_header(const life_method *method, uint64_t timeout_ms, const life_call_options *options,
    size_t *length)
{
    Life__V1__CallHeader header = LIFE__V1__CALL_HEADER__INIT;
    header.method = (char *)method->path;
    header.timeout_ms = timeout_ms;
    size_t count = (options != NULL ? options->metadata_count : 0) + (options != NULL && options->session_token != NULL);
    Life__V1__CallHeader__MetadataEntry *entries = NULL;
    Life__V1__CallHeader__MetadataEntry **pointers = NULL;
    char *bearer = NULL;
    uint8_t *out = NULL;
    if (count > 0) {
        entries = calloc(count, sizeof *entries);
        pointers = calloc(count, sizeof *pointers);
        if (entries == NULL || pointers == NULL) {
            goto done;
        }
        size_t i = 0;
        if (options->session_token != NULL) {
            size_t token_length = strlen(options->session_token);
            bearer = malloc(token_length + 8);
            if (bearer == NULL) {
                goto done;
            }
            memcpy(bearer, "Bearer ", 7);
            memcpy(bearer + 7, options->session_token, token_length + 1);
            life__v1__call_header__metadata_entry__init(&entries[i]);
            entries[i].key = (char *)"authorization";
            entries[i].value = bearer;
            pointers[i] = &entries[i];
            i++;
        }
        for (size_t j = 0; j < options->metadata_count; j++, i++) {
            life__v1__call_header__metadata_entry__init(&entries[i]);
            entries[i].key = (char *)options->metadata[j].key;
            entries[i].value = (char *)(options->metadata[j].value != NULL ? options->metadata[j].value : "");
            pointers[i] = &entries[i];
        }
        header.n_metadata = count;
        header.metadata = pointers;
    }
    *length = life__v1__call_header__get_packed_size(&header);
    out = malloc(*length > 0 ? *length : 1);
    if (out != NULL) {
        life__v1__call_header__pack(&header, out);
    }
done:
    if (bearer != NULL) {
        OPENSSL_cleanse(bearer, strlen(bearer));
        free(bearer);
    }
    free(entries);
    free(pointers);
    return out;
}

/* Checks the request, connects if needed, registers the call and queues HEADERS + MESSAGE
 * (written together, §5.1). On failure the call is not registered. */
static int64_t call_deadline(const life_call_options *options, uint64_t default_timeout_ms)
{
    uint64_t timeout_ms = options != NULL && options->timeout_ms != 0 ? options->timeout_ms : default_timeout_ms;
    return timeout_ms == 0 ? INT64_MAX : deadline_after(life_now_ns(), timeout_ms);
}

static life_code start_call(life_client *client, life_call *call, const life_method *method,
    const ProtobufCMessage *request, const life_call_options *options, int64_t deadline_ns, life_error **error)
{
    memset(call, 0, sizeof *call);
    call->method = method;
    call->cancel = options != NULL ? options->cancel : NULL;
    call->deadline_ns = deadline_ns;

    if (client == NULL || method == NULL || method->path == NULL || method->input == NULL || method->output == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "a call needs a client and a method");
    }
    if (request != NULL && request->descriptor != method->input) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "request for %s must be a %s, not a %s", method->path,
            method->input->name, request->descriptor != NULL ? request->descriptor->name : "?");
    }
    if (options != NULL) {
        if (options->metadata_count > 0 && options->metadata == NULL) {
            return fail(error, LIFE_INVALID_ARGUMENT, 0, "metadata_count without metadata");
        }
        for (size_t i = 0; i < options->metadata_count; i++) {
            if (!valid_metadata_key(options->metadata[i].key)) {
                return fail(error, LIFE_INVALID_ARGUMENT, 0,
                    "metadata key \"%.64s\" is not lower-case ASCII (a-z, 0-9, '-', '_', '.')",
                    options->metadata[i].key != NULL ? options->metadata[i].key : "");
            }
            if (options->metadata[i].value != NULL && !valid_utf8(options->metadata[i].value)) {
                return fail(error, LIFE_INVALID_ARGUMENT, 0, "metadata value of \"%.64s\" is not valid UTF-8",
                    options->metadata[i].key);
            }
        }
        if (options->session_token != NULL && !valid_utf8(options->session_token)) {
            return fail(error, LIFE_INVALID_ARGUMENT, 0, "the session token is not valid UTF-8");
        }
    }
    if (call->cancel != NULL && life_cancel_is_triggered(call->cancel)) {
        return fail(error, LIFE_CANCELLED, 1, "cancelled before the call started");
    }
    life_code code = ensure_connection(client, call->deadline_ns, error);
    if (code != LIFE_OK) {
        return code;
    }
    life_conn *conn = client->conn;
    if (conn->open_calls >= conn->settings.max_concurrent_calls) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "%zu calls are open: the server allows %u at once",
            conn->open_calls, conn->settings.max_concurrent_calls);
    }
    /* timeout_ms on the wire: the time left, rounded up, at least 1 (§6). */
    uint64_t wire_timeout = 0;
    if (call->deadline_ns != INT64_MAX) {
        int64_t left = call->deadline_ns - life_now_ns();
        if (left <= 0) {
            return fail(error, LIFE_DEADLINE_EXCEEDED, 1, "deadline passed before the call started");
        }
        wire_timeout = (uint64_t)((left + 999999) / 1000000);
    }
    size_t header_length = 0;
    uint8_t *header = encode_header(method, wire_timeout, options, &header_length);
    if (header == NULL) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    if (header_length > conn->settings.max_header_size) {
        free(header);
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 0, "call header of %zu bytes exceeds the server's limit of %u",
            header_length, conn->settings.max_header_size);
    }
    size_t body_length = request != NULL ? protobuf_c_message_get_packed_size(request) : 0;
    if (body_length > conn->settings.max_frame_size) {
        free(header);
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 0, "request of %zu bytes exceeds the server's frame limit of %u",
            body_length, conn->settings.max_frame_size);
    }
    uint8_t *body = malloc(body_length > 0 ? body_length : 1);
    if (body == NULL) {
        free(header);
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    if (request != NULL && body_length > 0) {
        protobuf_c_message_pack(request, body);
    }
    call->id = conn->next_call_id;
    call->wire_offset = conn->sent_total + conn->out.len;
    size_t before = conn->out.len;
    int failed = life_frame_append(&conn->out, LIFE_FRAME_HEADERS, 0, call->id, header, header_length) != 0
        || life_frame_append(&conn->out, LIFE_FRAME_MESSAGE, LIFE_FLAG_END_STREAM, call->id, body, body_length) != 0;
    free(header);
    if (body_length > 0) {
        OPENSSL_cleanse(body, body_length); /* requests may carry passwords */
    }
    free(body);
    if (failed) {
        conn->out.len = before;
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    if (conn->next_call_id == UINT32_MAX) {
        conn->ids_exhausted = 1; /* the next call opens a new connection (§5.3) */
    } else {
        conn->next_call_id++;
    }
    life_conn_register(conn, call);
    (void)life_transport_flush(conn);
    return LIFE_OK;
}

/* Waits on a registered call per `done`; applies the call's deadline and cancel signal. */
static void wait_call(life_client *client, life_call *call, life_done_fn done, int64_t deadline_ns)
{
    life_conn *conn = call->conn;
    if (conn == NULL) {
        return; /* already finished */
    }
    int64_t until = deadline_ns < call->deadline_ns ? deadline_ns : call->deadline_ns;
    pump_result result = pump(conn, done, call, until, call->cancel);
    (void)client;
    if (result == PUMP_CANCELLED) {
        life_call_fail_local(call, LIFE_CANCELLED, "the call was cancelled");
    } else if (result == PUMP_TIMEOUT && life_now_ns() >= call->deadline_ns) {
        life_call_fail_local(call, LIFE_DEADLINE_EXCEEDED, "deadline exceeded (client)");
    }
    if (!conn->closed && conn->out.len > 0) {
        (void)life_transport_flush(conn); /* the CANCEL, if any, without waiting */
    }
}

static life_code decode(const life_method *method, const life_msg *msg, ProtobufCMessage **out, life_error **error)
{
    ProtobufCMessage *message = protobuf_c_message_unpack(method->output, NULL, msg->len, msg->data);
    if (message == NULL) {
        return fail(error, LIFE_INTERNAL, 0, "the response of %s is not a valid %s", method->path, method->output->name);
    }
    *out = message;
    return LIFE_OK;
}

/* ---- unary ----------------------------------------------------------------------------- */

life_code life_call_unary(life_client *client, const life_method *method, const ProtobufCMessage *request,
    ProtobufCMessage **response, const life_call_options *options, life_error **error)
{
    if (response != NULL) {
        *response = NULL;
    }
    if (error != NULL) {
        *error = NULL;
    }
    if (method != NULL && method->kind != LIFE_METHOD_UNARY) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "%s is a streaming method: use life_call_stream", method->path);
    }
    int64_t deadline = call_deadline(options, client != NULL ? client->config.default_timeout_ms : 0);
    life_call call;
    life_code code = LIFE_UNAVAILABLE;
    /* A call the server provably never took (it was above a GOAWAY's last_call_id, or not a
     * byte of it was written before the connection ended) is sent once more on a new
     * connection, within the same deadline: an idle connection the server closed at the wrong
     * moment then costs the caller nothing. */
    for (int attempt = 0; attempt < 2; attempt++) {
        life_error *attempt_error = NULL;
        code = start_call(client, &call, method, request, options, deadline, &attempt_error);
        if (code == LIFE_OK) {
            wait_call(client, &call, call_finished, INT64_MAX);
            if (!call.finished) {
                /* Cannot happen: the pump returns only when the call finished, failed or timed out. */
                life_call_fail_local(&call, LIFE_INTERNAL, "call ended in an unexpected state");
            }
            code = call.code;
            attempt_error = call.error;
            call.error = NULL;
            if (code == LIFE_OK) {
                break;
            }
            life_call_clear_queue(&call);
        }
        int again = attempt == 0 && code == LIFE_UNAVAILABLE && attempt_error != NULL
            && life_error_is_local(attempt_error) && life_error_is_retryable(attempt_error)
            && life_now_ns() < deadline;
        if (!again) {
            if (attempt_error != NULL) {
                life_error_give(attempt_error, error);
            } else {
                fail(error, code, 0, "%s", life_code_name(code));
            }
            return code;
        }
        life_error_free(attempt_error);
    }
    if (response != NULL && call.head != NULL) {
        code = decode(method, call.head, response, error);
    }
    life_call_clear_queue(&call);
    return code;
}

/* ---- streams --------------------------------------------------------------------------- */

/* Streams and pending unary calls are listed on their client, which detaches them when it is
 * freed first. */
static void link_stream(life_client *client, life_stream *stream)
{
    stream->client = client;
    stream->next = client->streams;
    if (client->streams != NULL) {
        client->streams->prev = stream;
    }
    client->streams = stream;
}

life_code life_call_stream(life_client *client, const life_method *method, const ProtobufCMessage *request,
    life_stream **out, const life_call_options *options, life_error **error)
{
    if (error != NULL) {
        *error = NULL;
    }
    if (out == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "life_call_stream needs an output pointer");
    }
    *out = NULL;
    if (method != NULL && method->kind != LIFE_METHOD_SERVER_STREAMING) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "%s is a unary method: use life_call_unary", method->path);
    }
    life_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    life_code code = start_call(client, &stream->call, method, request, options, call_deadline(options, 0), error);
    if (code != LIFE_OK) {
        free(stream);
        return code;
    }
    link_stream(client, stream);
    *out = stream;
    return LIFE_OK;
}

static life_code stream_next(life_stream *stream, int64_t wait_deadline, ProtobufCMessage **message,
    life_error **error)
{
    if (message != NULL) {
        *message = NULL;
    }
    if (error != NULL) {
        *error = NULL;
    }
    if (stream == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "no stream");
    }
    life_call *call = &stream->call;
    if (stream->client == NULL && !call->finished) {
        life_call_finish(call, LIFE_CANCELLED, life_error_new(LIFE_CANCELLED, "the client was freed"));
    }
    if (call->head == NULL && !call->finished) {
        wait_call(stream->client, call, stream_ready, wait_deadline);
    }
    if (call->head != NULL) {
        life_msg *msg = call->head;
        call->head = msg->next;
        if (call->head == NULL) {
            call->tail = NULL;
        }
        call->queued_bytes -= msg->len;
        ProtobufCMessage *decoded = NULL;
        life_code code = decode(call->method, msg, &decoded, error);
        free(msg);
        if (code != LIFE_OK) {
            life_call_fail_local(call, LIFE_INTERNAL, "a stream message did not decode");
            return code;
        }
        if (message != NULL) {
            *message = decoded;
        } else {
            protobuf_c_message_free_unpacked(decoded, NULL);
        }
        return LIFE_OK;
    }
    if (!call->finished) {
        return fail(error, LIFE_DEADLINE_EXCEEDED, 0, "no stream message within the wait");
    }
    if (call->code == LIFE_OK) {
        return LIFE_OK;
    }
    life_error *copy = life_error_dup(call->error);
    if (copy == NULL) {
        return fail(error, call->code, 0, "%s", life_code_name(call->code));
    }
    life_error_give(copy, error);
    return call->code;
}

life_code life_stream_next(life_stream *stream, ProtobufCMessage **message, life_error **error)
{
    return stream_next(stream, INT64_MAX, message, error);
}

life_code life_stream_next_timeout(life_stream *stream, uint64_t timeout_ms, ProtobufCMessage **message,
    life_error **error)
{
    return stream_next(stream, deadline_after(life_now_ns(), timeout_ms), message, error);
}

life_code life_stream_next_of(life_stream *stream, const life_method *method, ProtobufCMessage **message,
    life_error **error)
{
    if (stream != NULL && stream->call.method != method) {
        if (message != NULL) {
            *message = NULL;
        }
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "this stream is not a %s stream",
            method != NULL && method->path != NULL ? method->path : "?");
    }
    return life_stream_next(stream, message, error);
}

void life_stream_cancel(life_stream *stream)
{
    if (stream == NULL || stream->call.finished) {
        return;
    }
    life_conn *conn = stream->call.conn;
    life_call_fail_local(&stream->call, LIFE_CANCELLED, "the stream was cancelled");
    if (conn != NULL && !conn->closed) {
        (void)life_transport_flush(conn);
    }
}

void life_stream_free(life_stream *stream)
{
    if (stream == NULL) {
        return;
    }
    life_stream_cancel(stream);
    life_call_clear_queue(&stream->call);
    life_error_free(stream->call.error);
    if (stream->client != NULL) {
        if (stream->prev != NULL) {
            stream->prev->next = stream->next;
        } else {
            stream->client->streams = stream->next;
        }
        if (stream->next != NULL) {
            stream->next->prev = stream->prev;
        }
    }
    free(stream);
}

void life_message_free(void *message)
{
    if (message != NULL) {
        protobuf_c_message_free_unpacked(message, NULL);
    }
}

/* ---- unary calls in flight together ---------------------------------------------------- */

struct life_pending {
    life_stream stream; /* first member: a pending unary call is held like a stream */
};

life_code life_call_start(life_client *client, const life_method *method, const ProtobufCMessage *request,
    const life_call_options *options, life_pending **out, life_error **error)
{
    if (error != NULL) {
        *error = NULL;
    }
    if (out == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "life_call_start needs an output pointer");
    }
    *out = NULL;
    if (method != NULL && method->kind != LIFE_METHOD_UNARY) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "%s is a streaming method: use life_call_stream", method->path);
    }
    life_pending *pending = calloc(1, sizeof *pending);
    if (pending == NULL) {
        return fail(error, LIFE_RESOURCE_EXHAUSTED, 1, "out of memory");
    }
    life_code code = start_call(client, &pending->stream.call, method, request, options,
        call_deadline(options, client != NULL ? client->config.default_timeout_ms : 0), error);
    if (code != LIFE_OK) {
        free(pending);
        return code;
    }
    link_stream(client, &pending->stream);
    *out = pending;
    return LIFE_OK;
}

int life_pending_done(const life_pending *pending)
{
    return pending != NULL && pending->stream.call.finished;
}

life_code life_pending_wait(life_pending *pending, ProtobufCMessage **response, life_error **error)
{
    if (response != NULL) {
        *response = NULL;
    }
    if (error != NULL) {
        *error = NULL;
    }
    if (pending == NULL) {
        return fail(error, LIFE_INVALID_ARGUMENT, 0, "no pending call");
    }
    life_call *call = &pending->stream.call;
    if (pending->stream.client == NULL && !call->finished) {
        life_call_finish(call, LIFE_CANCELLED, life_error_new(LIFE_CANCELLED, "the client was freed"));
    }
    if (!call->finished) {
        wait_call(pending->stream.client, call, call_finished, INT64_MAX);
    }
    if (!call->finished) {
        life_call_fail_local(call, LIFE_INTERNAL, "call ended in an unexpected state");
    }
    if (call->code != LIFE_OK) {
        life_error *copy = life_error_dup(call->error);
        if (copy == NULL) {
            return fail(error, call->code, 0, "%s", life_code_name(call->code));
        }
        life_error_give(copy, error);
        return call->code;
    }
    if (call->head == NULL) {
        return fail(error, LIFE_INTERNAL, 0, "the call ended OK without a response");
    }
    if (response == NULL) {
        return LIFE_OK;
    }
    return decode(call->method, call->head, response, error);
}

void life_pending_free(life_pending *pending)
{
    if (pending != NULL) {
        life_stream_free(&pending->stream); /* cancels it if still open; frees the whole object */
    }
}
