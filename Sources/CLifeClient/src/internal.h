/* liblifeclient internals: shared by the runtime's files, the tests and the fuzz target.
 * Nothing here is installed or part of the API. */
#ifndef LIFE_INTERNAL_H_
#define LIFE_INTERNAL_H_

#include <stdint.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "life/client.h"

/* Frame types and flags (docs/PROTOCOL.md §4). */
enum {
    LIFE_FRAME_SETTINGS = 0x01,
    LIFE_FRAME_HEADERS = 0x02,
    LIFE_FRAME_MESSAGE = 0x03,
    LIFE_FRAME_TRAILER = 0x04,
    LIFE_FRAME_CANCEL = 0x05,
    LIFE_FRAME_PING = 0x06,
    LIFE_FRAME_GOAWAY = 0x07,
};
#define LIFE_FLAG_END_STREAM 0x01u
#define LIFE_FLAG_ACK 0x01u
#define LIFE_FRAME_HEADER_SIZE 10u
#define LIFE_PREFACE_SIZE 8u
#define LIFE_GOAWAY_SHUTDOWN 1
/* Frames accepted before SETTINGS tells the real limit (SETTINGS and GOAWAY are small). */
#define LIFE_PRE_SETTINGS_FRAME_LIMIT 65536u
/* Most bytes of PING answers queued for a server that does not read. */
#define LIFE_MAX_PENDING_OUTPUT (1u << 20)
/* Hard ceiling on what the client accepts: the server's own maximum (docs §14). */
#define LIFE_MAX_FRAME_CEILING 67108864u

extern const uint8_t life_preface[LIFE_PREFACE_SIZE];

/* A growable byte buffer. */
typedef struct life_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} life_buf;

int life_buf_reserve(life_buf *buf, size_t extra);
int life_buf_append(life_buf *buf, const void *data, size_t len);
void life_buf_consume(life_buf *buf, size_t count);
void life_buf_free(life_buf *buf);

/* Appends one frame (header + payload) to `out`. Returns 0, or -1 when out of memory. */
int life_frame_append(life_buf *out, uint8_t type, uint8_t flags, uint32_t call_id,
    const uint8_t *payload, size_t len);

/* One queued response message of a call. */
typedef struct life_msg {
    struct life_msg *next;
    size_t len;
    uint8_t data[];
} life_msg;

struct life_conn;

/* One call: on the caller's stack for a unary call, inside a life_stream for a stream. */
typedef struct life_call {
    uint32_t id;
    const life_method *method;
    int64_t deadline_ns;       /* monotonic; INT64_MAX = none */
    life_cancel *cancel;
    life_msg *head;
    life_msg *tail;
    size_t queued_bytes;
    uint32_t messages_received;
    int finished;              /* outcome known */
    life_code code;            /* outcome when finished */
    life_error *error;         /* outcome's error; NULL when OK */
    struct life_conn *conn;    /* set while registered (open) on a connection */
    uint64_t wire_offset;      /* conn->queued_total when its HEADERS were queued */
    struct life_call *prev;
    struct life_call *next;
} life_call;

/* One LRPC connection: transport, buffers and protocol state. The frame path
 * (life_conn_ingest) does no I/O: answers it owes (PING ACK, CANCEL) go to `out`. */
typedef struct life_conn {
    int fd;
    SSL *ssl;
    life_buf in;
    life_buf out;
    uint64_t queued_total;     /* bytes ever appended to out for calls (see wire_offset) */
    uint64_t sent_total;       /* bytes ever written to the transport */
    int ssl_wants_write;       /* last SSL_read asked for POLLOUT */
    int preface_ok;
    int settings_ok;
    life_settings settings;
    uint32_t receive_limit;    /* largest payload accepted now */
    uint32_t configured_receive_limit; /* 0 = follow SETTINGS */
    size_t max_stream_buffer;
    uint32_t next_call_id;
    int ids_exhausted;
    int goaway;
    uint32_t goaway_last_id;
    int goaway_reason;
    char *goaway_message;
    int closed;
    life_code close_code;
    char *close_message;
    int close_retryable;
    life_call *calls;
    size_t open_calls;
    uint64_t ping_sequence;
    int ping_outstanding;
    uint8_t ping_payload[8];
} life_conn;

/* Protocol state without a transport (fd -1): for connections and for the fuzz target. */
life_conn *life_conn_new(uint32_t configured_receive_limit, size_t max_stream_buffer);
/* Closes the transport and frees everything; registered calls are failed CANCELLED. */
void life_conn_free(life_conn *conn);
/* Feeds received bytes: validates and dispatches every complete frame. Never allocates more
 * than the bytes given plus one frame within the receive limit. Returns 0, or -1 once the
 * connection has failed (conn->closed). */
int life_conn_ingest(life_conn *conn, const uint8_t *data, size_t len);
/* Ends the connection: every registered call fails with `code`/`message`. */
void life_conn_fail(life_conn *conn, life_code code, const char *message, int retryable);
/* The end of the byte stream from the server. */
void life_conn_eof(life_conn *conn, const char *detail);
void life_conn_register(life_conn *conn, life_call *call);
void life_conn_unregister(life_conn *conn, life_call *call);

/* Ends a call locally with `code` and, if it is registered, queues CANCEL for the server. */
void life_call_fail_local(life_call *call, life_code code, const char *message);
/* Records the outcome of a call and unregisters it. Takes `error`. */
void life_call_finish(life_call *call, life_code code, life_error *error);
void life_call_clear_queue(life_call *call);

/* Errors. */
life_error *life_error_new(life_code code, const char *message);
life_error *life_error_newf(life_code code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
life_error *life_error_from_status(const void *call_status /* Life__V1__CallStatus */);
life_error *life_error_dup(const life_error *error);
void life_error_set_local(life_error *error, int local);
void life_error_set_retryable(life_error *error, int retryable);
void life_error_set_goaway(life_error *error, int reason);
/* Stores `err` in *out when out is non-NULL, else frees it; returns its code (LIFE_OK if NULL). */
life_code life_error_give(life_error *err, life_error **out);
const char *life_goaway_reason_name(int reason);

/* Monotonic time in nanoseconds. */
int64_t life_now_ns(void);
/* Read end of a cancel's pipe (-1 if none). */
int life_cancel_fd(const life_cancel *cancel);

#endif /* LIFE_INTERNAL_H_ */
