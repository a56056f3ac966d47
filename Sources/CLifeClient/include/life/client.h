/**
 * \file life/client.h
 * \brief liblifeclient: an LRPC v1 client for lifed, on protobuf-c and OpenSSL.
 *
 * LRPC v1 is specified in docs/PROTOCOL.md of the lifed repository; this library follows it:
 * preface, 10-byte frames, SETTINGS, multiplexed call ids, per-call deadlines, CANCEL,
 * PING answers, GOAWAY. Typed functions for every RPC (`life_health_check()`,
 * `life_auth_login()`, ...) are generated from the same `.proto` files as the daemon and live
 * in `life/v1/<file>.lrpc-c.h` (all of them: `life/v1/lrpc-stubs.h`); they call the generic
 * life_call_unary() and life_call_stream() declared here.
 *
 * \section life_usage Usage
 *
 *     life_config *config = life_config_new();
 *     life_config_set_tls(config, "lifed.example.jp", 7443);
 *     life_config_set_ca_file(config, "ca.pem");
 *     life_config_set_client_certificate_files(config, "facility.pem", "facility-key.pem");
 *     life_client *client = NULL;
 *     life_error *error = NULL;
 *     if (life_client_new(config, &client, &error) != LIFE_OK) { ...; life_error_free(error); }
 *     life_config_free(config);      // the client keeps its own copy
 *     Life__V1__HealthCheckResponse *response = NULL;
 *     life_call_options options = { .timeout_ms = 5000 };
 *     if (life_health_check(client, NULL, &response, &options, &error) == LIFE_OK) ...
 *     life_message_free(response);
 *     life_client_free(client);
 *
 * \section life_memory Memory
 *
 * Every object the library returns is owned by the caller and released with its own `*_free`
 * function: life_config_free(), life_client_free(), life_stream_free(), life_pending_free(),
 * life_error_free(), life_cancel_free(), and life_message_free() for decoded protobuf
 * messages. Every `*_free` accepts NULL. Strings returned by accessors live as long as the
 * object they come from. What a server sends is never trusted for sizes: a frame is checked
 * against the receive limit from its 10-byte header before anything is reserved for it.
 *
 * \section life_threads Threads
 *
 * The library has no global state: separate objects may be used from separate threads
 * freely. One #life_client, and the #life_stream and #life_pending objects opened on it, must
 * be used by one thread at a time (serialise with your own mutex if several threads share a
 * client). The one exception is life_cancel_trigger(), which may be called from any thread or
 * from a signal handler while another thread is blocked in a call. Several calls can still be
 * in flight on one connection from one thread: streams, and unary calls started with
 * life_call_start(). The library never installs signal handlers and never raises SIGPIPE
 * (writes use MSG_NOSIGNAL).
 *
 * \section life_blocking Blocking and deadlines
 *
 * Calls block the calling thread. No function blocks past the deadline it was given: a
 * call's `timeout_ms` (or the client's default), the connect timeout for life_client_new() —
 * with one exception: resolving a host name (getaddrinfo) follows the system resolver's own
 * timeouts, so appliances should name the server by IP address or in /etc/hosts. While it
 * waits, a function also serves the connection: it answers the server's keepalive PINGs and
 * delivers frames of other open calls (for example stream messages) to their calls. A client
 * left idle for longer than the server's keepalive interval needs nothing: the connection the
 * server then closes is replaced by a new one at the next call. A client that keeps a stream
 * open without reading it for longer than the keepalive interval plus the server's keepalive
 * timeout (60 s + 20 s by default) loses the connection and the stream (#LIFE_UNAVAILABLE);
 * call life_client_poll() meanwhile, or wait on life_client_fd().
 *
 * \section life_errors Errors
 *
 * Functions that can fail return a #life_code (gRPC's status code; #LIFE_OK is 0) and, when
 * the caller passes a non-NULL `life_error **`, store one error object with the code, a
 * message safe to show, the server's structured details (reason, field violations,
 * retry-after) and whether the call may safely be retried because the server never took it.
 * Errors made by the library itself (connection failures, local deadlines) are marked
 * life_error_is_local().
 */
#ifndef LIFE_CLIENT_H_
#define LIFE_CLIENT_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the library's exported functions; everything else in the shared library is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define LIFE_API __attribute__((visibility("default")))
#else
#define LIFE_API
#endif

/** Library version, "MAJOR.MINOR.PATCH". */
#define LIFE_CLIENT_VERSION "0.1.0"

/** Pass as life_call_options::timeout_ms to call without any deadline. */
#define LIFE_NO_DEADLINE UINT64_MAX

/**
 * \brief gRPC status codes, with gRPC's numbers (docs/PROTOCOL.md §9).
 *
 * Every function that makes a call returns one of these. Numbers a server sends that are not
 * listed are reported as #LIFE_UNKNOWN.
 */
typedef enum life_code {
    LIFE_OK = 0,                   /**< Success. */
    LIFE_CANCELLED = 1,            /**< The call was cancelled (life_cancel_trigger(), life_stream_cancel()). */
    LIFE_UNKNOWN = 2,              /**< Unknown error, or a status number this library does not know. */
    LIFE_INVALID_ARGUMENT = 3,     /**< The request was invalid; see the field violations. */
    LIFE_DEADLINE_EXCEEDED = 4,    /**< The deadline passed first (locally or on the server). */
    LIFE_NOT_FOUND = 5,            /**< The entity does not exist or is not visible. */
    LIFE_ALREADY_EXISTS = 6,       /**< The entity already exists. */
    LIFE_PERMISSION_DENIED = 7,    /**< Authenticated, but not allowed. */
    LIFE_RESOURCE_EXHAUSTED = 8,   /**< A limit was hit (frame size, concurrency, memory). */
    LIFE_FAILED_PRECONDITION = 9,  /**< The system is not in the needed state (see the reason). */
    LIFE_ABORTED = 10,             /**< Concurrency conflict. */
    LIFE_OUT_OF_RANGE = 11,        /**< A value is out of range. */
    LIFE_UNIMPLEMENTED = 12,       /**< The method is not offered on this listener (yet). */
    LIFE_INTERNAL = 13,            /**< Server fault, or a response that breaks the protocol. */
    LIFE_UNAVAILABLE = 14,         /**< Connection failed, closed or draining; maybe retryable. */
    LIFE_DATA_LOSS = 15,           /**< Unrecoverable data loss. */
    LIFE_UNAUTHENTICATED = 16      /**< Not authenticated: bad login, or the TLS certificate was refused. */
} life_code;

/**
 * \brief The upper-case gRPC name of a code, e.g. "DEADLINE_EXCEEDED".
 * \param code any value.
 * \return a static string; "UNKNOWN" for values outside 0..16.
 */
LIFE_API const char *life_code_name(life_code code);

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/**
 * \brief The outcome of a failed call or connection: status code, message and details.
 *
 * Opaque; read it with the accessors below and release it with life_error_free().
 */
typedef struct life_error life_error;

/** \brief The status code. \param error an error (not NULL). \return the code. */
LIFE_API life_code life_error_code(const life_error *error);

/**
 * \brief Human-readable message, safe to show (never contains passwords or tokens).
 * \param error an error (not NULL).
 * \return a string owned by the error; never NULL.
 */
LIFE_API const char *life_error_message(const life_error *error);

/**
 * \brief Machine-readable reason from the server's details, e.g. "PASSWORD_CHANGE_REQUIRED".
 * \param error an error (not NULL).
 * \return a string owned by the error; "" when the server gave none.
 */
LIFE_API const char *life_error_reason(const life_error *error);

/**
 * \brief Milliseconds after which a retry may succeed, from the server's details.
 * \param error an error (not NULL).
 * \return the value, or 0 when unknown.
 */
LIFE_API uint64_t life_error_retry_after_ms(const life_error *error);

/**
 * \brief Number of field violations (for #LIFE_INVALID_ARGUMENT).
 * \param error an error (not NULL).
 * \return the count, possibly 0.
 */
LIFE_API size_t life_error_field_violation_count(const life_error *error);

/**
 * \brief One field violation.
 * \param error an error (not NULL).
 * \param index 0 .. life_error_field_violation_count() - 1.
 * \param[out] field       the request field's dot-separated path (may be NULL if not wanted).
 * \param[out] reason      UPPER_SNAKE_CASE reason, e.g. "TOO_SHORT" (may be NULL).
 * \param[out] description human-readable description (may be NULL).
 * \retval 0  the strings were stored (owned by the error).
 * \retval -1 index out of range.
 */
LIFE_API int life_error_field_violation(const life_error *error, size_t index, const char **field,
    const char **reason, const char **description);

/**
 * \brief Whether the call may be retried safely on a new connection.
 *
 * True when the server provably did not take the call: it was refused by a draining server
 * (UNAVAILABLE on a call above a GOAWAY's `last_call_id`), the connection was refused or could
 * not be established, or the request was never written. A call that failed with an unknown
 * outcome (connection lost after the request was sent) is not retryable unless the method is
 * idempotent, which the caller knows and this library does not.
 * \param error an error (not NULL).
 * \return 1 if retryable, else 0.
 */
LIFE_API int life_error_is_retryable(const life_error *error);

/**
 * \brief Whether the library made this error itself (connection failure, local deadline,
 * cancellation, protocol violation) rather than receiving it in a server TRAILER.
 * \param error an error (not NULL).
 * \return 1 if local, 0 if from the server.
 */
LIFE_API int life_error_is_local(const life_error *error);

/**
 * \brief The GOAWAY reason that ended the connection the call ran on (wire.proto
 * `GoAwayReason`: 1 SHUTDOWN, 6 IDLE_TIMEOUT, 7 TOO_MANY_CONNECTIONS, ...).
 * \param error an error (not NULL).
 * \return the reason number, or 0 when no GOAWAY was involved.
 */
LIFE_API int life_error_goaway_reason(const life_error *error);

/**
 * \brief Releases an error. \param error an error, or NULL.
 */
LIFE_API void life_error_free(life_error *error);

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                             */
/* ---------------------------------------------------------------------------------------- */

/**
 * \brief Where and how to connect. Build one, pass it to life_client_new(), then free it.
 *
 * Setters copy their string arguments. Setters returning int return 0 on success and -1
 * when an argument is invalid (NULL, empty, too long) or memory ran out.
 */
typedef struct life_config life_config;

/** \brief A configuration with the defaults. \return a new object, or NULL when out of memory. */
LIFE_API life_config *life_config_new(void);

/** \brief Releases a configuration. \param config a configuration, or NULL. */
LIFE_API void life_config_free(life_config *config);

/**
 * \brief Connect to lifed's Unix socket (no TLS; the kernel identifies the peer).
 * \param config a configuration. \param path the socket path (at most 107 bytes).
 * \retval 0 stored. \retval -1 invalid argument or out of memory.
 */
LIFE_API int life_config_set_unix(life_config *config, const char *path);

/**
 * \brief Connect over TCP with mutual TLS 1.3.
 *
 * The server certificate is verified against the CA of life_config_set_ca_file() and against
 * the host name (or IP address), or against life_config_set_server_name() when set.
 * \param config a configuration. \param host a DNS name or an IPv4/IPv6 literal.
 * \param port the TCP port.
 * \retval 0 stored. \retval -1 invalid argument or out of memory.
 */
LIFE_API int life_config_set_tls(life_config *config, const char *host, uint16_t port);

/**
 * \brief PEM file with the CA certificate(s) that issued the server certificate.
 * \param config a configuration. \param path the file.
 * \retval 0 stored. \retval -1 invalid argument or out of memory.
 */
LIFE_API int life_config_set_ca_file(life_config *config, const char *path);

/**
 * \brief The name the server certificate must carry, when it differs from the host given to
 * life_config_set_tls() (e.g. connecting by IP to a certificate naming a DNS name).
 * \param config a configuration. \param name a DNS name or an IP literal.
 * \retval 0 stored. \retval -1 invalid argument or out of memory.
 */
LIFE_API int life_config_set_server_name(life_config *config, const char *name);

/**
 * \brief The facility's client certificate (chain) and private key, as PEM files.
 * \param config a configuration. \param certificate_path PEM certificate (chain).
 * \param key_path PEM private key (unencrypted).
 * \retval 0 stored. \retval -1 invalid argument or out of memory.
 */
LIFE_API int life_config_set_client_certificate_files(life_config *config, const char *certificate_path,
    const char *key_path);

/**
 * \brief The facility's client certificate and key, already loaded (e.g. from a TPM engine
 * or a provider). The configuration takes its own references (X509_up_ref, EVP_PKEY_up_ref);
 * the caller keeps and frees its own.
 * \param config a configuration. \param certificate the certificate. \param key its key.
 * \retval 0 stored. \retval -1 invalid argument.
 */
LIFE_API int life_config_set_client_certificate(life_config *config, X509 *certificate, EVP_PKEY *key);

/**
 * \brief Time allowed for connecting: TCP or Unix connect, TLS handshake, both prefaces and
 * the server's SETTINGS. Default 10000 ms.
 * \param config a configuration. \param timeout_ms milliseconds, > 0.
 */
LIFE_API void life_config_set_connect_timeout_ms(life_config *config, uint64_t timeout_ms);

/**
 * \brief Deadline of calls whose options give none (timeout_ms 0). Default 30000 ms for unary
 * calls; streams have no default deadline. #LIFE_NO_DEADLINE disables it.
 * \param config a configuration. \param timeout_ms milliseconds.
 */
LIFE_API void life_config_set_default_timeout_ms(life_config *config, uint64_t timeout_ms);

/**
 * \brief Largest frame payload accepted from the server. Default: what the server announces
 * in SETTINGS (its `max_frame_size`), at most 64 MiB. Lower it on small appliances; larger
 * server frames end the connection (the call fails #LIFE_RESOURCE_EXHAUSTED).
 * \param config a configuration. \param bytes at least 1024.
 */
LIFE_API void life_config_set_max_receive_frame_size(life_config *config, uint32_t bytes);

/**
 * \brief Most bytes of unread stream messages kept per stream before the stream is failed
 * with #LIFE_RESOURCE_EXHAUSTED and cancelled. Default 16 MiB.
 * \param config a configuration. \param bytes the limit.
 */
LIFE_API void life_config_set_max_stream_buffer(life_config *config, size_t bytes);

/* ---------------------------------------------------------------------------------------- */
/* Client                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/**
 * \brief A connection to lifed, reopened on demand.
 *
 * life_client_new() connects at once (so a refused certificate or a wrong address is reported
 * there). When the server later ends the connection (GOAWAY, idle timeout, restart), the next
 * call opens a new one with the same configuration, provided no stream is still open on the
 * old one; otherwise that call fails #LIFE_UNAVAILABLE (retryable).
 */
typedef struct life_client life_client;

/** \brief The SETTINGS the server announced on the current connection (docs/PROTOCOL.md §4.1). */
typedef struct life_settings {
    uint32_t max_frame_size;        /**< Largest frame payload the server accepts. */
    uint32_t max_concurrent_calls;  /**< Calls that may be open at once. */
    uint32_t max_header_size;       /**< Largest encoded CallHeader. */
    uint64_t idle_timeout_ms;       /**< Idle connections closed after this; 0 = never. */
    uint64_t keepalive_interval_ms; /**< Server pings after this much client silence; 0 = never. */
} life_settings;

/**
 * \brief Creates a client and connects it.
 * \param config the configuration (copied; free it when convenient).
 * \param[out] client on #LIFE_OK the new client, else NULL.
 * \param[out] error on failure the error (may be NULL if not wanted).
 * \retval LIFE_OK connected: both prefaces exchanged and SETTINGS received.
 * \retval LIFE_UNAVAILABLE the server could not be reached or refused the connection (GOAWAY
 *         before SETTINGS), or its certificate did not verify.
 * \retval LIFE_UNAUTHENTICATED the server refused the client certificate (TLS alert).
 * \retval LIFE_DEADLINE_EXCEEDED not connected within the connect timeout.
 * \retval LIFE_INVALID_ARGUMENT the configuration is incomplete or a file cannot be loaded.
 */
LIFE_API life_code life_client_new(const life_config *config, life_client **client, life_error **error);

/**
 * \brief Closes the connection and releases the client. Streams still open on it stop
 * working (their next read fails #LIFE_CANCELLED) but must still be freed by the caller.
 * \param client a client, or NULL.
 */
LIFE_API void life_client_free(life_client *client);

/**
 * \brief The server's SETTINGS for the current connection.
 * \param client a client. \return a pointer into the client, valid until the next call.
 */
LIFE_API const life_settings *life_client_settings(const life_client *client);

/**
 * \brief Sends a PING and waits for its ACK, serving the connection meanwhile.
 * \param client a client. \param timeout_ms how long to wait (0: the default timeout).
 * \param[out] round_trip_us the measured round trip in microseconds (may be NULL).
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK, or the code of the failure (#LIFE_DEADLINE_EXCEEDED, #LIFE_UNAVAILABLE).
 */
LIFE_API life_code life_client_ping(life_client *client, uint64_t timeout_ms, uint64_t *round_trip_us,
    life_error **error);

/**
 * \brief Serves the connection for up to `timeout_ms`: reads frames, answers keepalive PINGs,
 * queues stream messages. For applications that keep a stream open and do other work: call
 * it at least once per keepalive interval (60 s by default), or wait on life_client_fd().
 * \param client a client. \param timeout_ms 0 returns after handling what is already there.
 * \param[out] error set when the connection failed (may be NULL).
 * \return #LIFE_OK, or #LIFE_UNAVAILABLE when the connection ended.
 */
LIFE_API life_code life_client_poll(life_client *client, uint64_t timeout_ms, life_error **error);

/**
 * \brief The socket of the current connection, for poll()/select() (readable = call
 * life_client_poll()). \param client a client. \return the descriptor, or -1 when closed.
 */
LIFE_API int life_client_fd(const life_client *client);

/* ---------------------------------------------------------------------------------------- */
/* Cancellation                                                                              */
/* ---------------------------------------------------------------------------------------- */

/**
 * \brief A cancellation signal that another thread (or a signal handler) can trigger while a
 * call blocks. A triggered call fails #LIFE_CANCELLED at once and the server is sent CANCEL.
 * One object may serve many calls; once triggered it stays triggered.
 */
typedef struct life_cancel life_cancel;

/** \brief A new, untriggered cancellation signal. \return the object, or NULL on failure. */
LIFE_API life_cancel *life_cancel_new(void);

/**
 * \brief Triggers the signal. Thread-safe and async-signal-safe.
 * \param cancel a cancellation signal (not NULL).
 */
LIFE_API void life_cancel_trigger(life_cancel *cancel);

/** \brief Whether it was triggered. \param cancel a signal. \return 1 if triggered, else 0. */
LIFE_API int life_cancel_is_triggered(const life_cancel *cancel);

/** \brief Releases the signal; no call may still use it. \param cancel a signal, or NULL. */
LIFE_API void life_cancel_free(life_cancel *cancel);

/* ---------------------------------------------------------------------------------------- */
/* Calls                                                                                     */
/* ---------------------------------------------------------------------------------------- */

/** \brief One metadata entry: key (lower-case ASCII, digits, '-', '_', '.') and UTF-8 value. */
typedef struct life_metadata {
    const char *key;   /**< Non-empty; only a-z, 0-9, '-', '_', '.'. */
    const char *value; /**< UTF-8 text. */
} life_metadata;

/**
 * \brief Per-call options. Zero-initialise (`life_call_options o = {0};`) and set what you need.
 */
typedef struct life_call_options {
    /** Deadline from the start of the call in ms; 0 = the client's default, #LIFE_NO_DEADLINE = none. */
    uint64_t timeout_ms;
    /** Session token from Auth.Login, sent as `authorization: Bearer <token>`; NULL = none. */
    const char *session_token;
    /** Extra metadata entries (may be NULL). */
    const life_metadata *metadata;
    /** Number of entries in `metadata`. */
    size_t metadata_count;
    /** Cancellation signal checked while the call blocks (may be NULL). */
    life_cancel *cancel;
} life_call_options;

/** \brief Whether a method answers with one message or a stream. */
typedef enum life_method_kind {
    LIFE_METHOD_UNARY = 0,           /**< One request, one response. */
    LIFE_METHOD_SERVER_STREAMING = 1 /**< One request, 0..n responses. */
} life_method_kind;

/**
 * \brief What the runtime needs to know about a method. The generated code defines one
 * `life_<service>_<method>_method` constant per RPC.
 */
typedef struct life_method {
    const char *path;                          /**< "/life.v1.Health/Check". */
    const ProtobufCMessageDescriptor *input;   /**< Request message type. */
    const ProtobufCMessageDescriptor *output;  /**< Response message type. */
    life_method_kind kind;                     /**< Unary or server-streaming. */
} life_method;

/**
 * \brief Makes a unary call and waits for its answer (generic form of the generated functions).
 *
 * A call the server provably did not take (refused above a GOAWAY's `last_call_id`, or not
 * written at all before the connection ended) is sent once more on a new connection, within
 * the same deadline; only if that fails too is the (retryable) error returned.
 * \param client a client.
 * \param method a unary method.
 * \param request a message of type `method->input`, or NULL for the empty message.
 * \param[out] response on #LIFE_OK the decoded response (free with life_message_free()), else NULL.
 * \param options per-call options, or NULL.
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK or the call's status code. Local failures: #LIFE_INVALID_ARGUMENT (bad
 * request type or metadata key), #LIFE_RESOURCE_EXHAUSTED (request or header larger than the
 * server accepts), #LIFE_DEADLINE_EXCEEDED, #LIFE_CANCELLED, #LIFE_UNAVAILABLE (connection),
 * #LIFE_INTERNAL (the server broke the protocol for this call).
 */
LIFE_API life_code life_call_unary(life_client *client, const life_method *method,
    const ProtobufCMessage *request, ProtobufCMessage **response,
    const life_call_options *options, life_error **error);

/**
 * \brief An open server-streaming call. Read it with life_stream_next() (or the generated
 * `_next` function) until it ends; release it with life_stream_free().
 */
typedef struct life_stream life_stream;

/**
 * \brief Opens a server-streaming call (generic form of the generated functions). Returns as
 * soon as the request is written; messages are read with life_stream_next().
 * \param client a client.
 * \param method a server-streaming method.
 * \param request a message of type `method->input`, or NULL for the empty message.
 * \param[out] stream on #LIFE_OK the stream, else NULL.
 * \param options per-call options, or NULL. The deadline (if any) covers the whole stream.
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK or the status code of the failure.
 */
LIFE_API life_code life_call_stream(life_client *client, const life_method *method,
    const ProtobufCMessage *request, life_stream **stream, const life_call_options *options,
    life_error **error);

/**
 * \brief Waits for the next message of a stream.
 * \param stream a stream.
 * \param[out] message on #LIFE_OK the message (free with life_message_free()), or NULL when
 *             the stream ended normally (OK trailer).
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK, or the status code that ended the stream. After the end (normal or not)
 * further calls return the same result again.
 */
LIFE_API life_code life_stream_next(life_stream *stream, ProtobufCMessage **message, life_error **error);

/**
 * \brief life_stream_next() that first checks the stream belongs to `method` (used by the
 * generated `_next` functions).
 * \param stream a stream. \param method the method the caller expects.
 * \param[out] message as life_stream_next(). \param[out] error as life_stream_next().
 * \return as life_stream_next(); #LIFE_INVALID_ARGUMENT if the stream is of another method.
 */
LIFE_API life_code life_stream_next_of(life_stream *stream, const life_method *method,
    ProtobufCMessage **message, life_error **error);

/**
 * \brief Like life_stream_next() but waits at most `timeout_ms`; on timeout returns
 * #LIFE_DEADLINE_EXCEEDED with `*message` NULL and leaves the stream open (the error object,
 * if requested, is marked local).
 * \param stream a stream. \param timeout_ms how long to wait; 0 only takes what is queued.
 * \param[out] message as life_stream_next(). \param[out] error as life_stream_next().
 * \return as life_stream_next(), or #LIFE_DEADLINE_EXCEEDED on timeout.
 */
LIFE_API life_code life_stream_next_timeout(life_stream *stream, uint64_t timeout_ms,
    ProtobufCMessage **message, life_error **error);

/**
 * \brief Cancels a stream: sends CANCEL and ends it locally (next read: #LIFE_CANCELLED).
 * \param stream a stream (not NULL).
 */
LIFE_API void life_stream_cancel(life_stream *stream);

/**
 * \brief Releases a stream, cancelling it first if it is still open.
 * \param stream a stream, or NULL.
 */
LIFE_API void life_stream_free(life_stream *stream);

/**
 * \brief A unary call in flight, started with life_call_start(). Several may be open at once on
 * one client (up to the server's `max_concurrent_calls`), multiplexed on its connection.
 */
typedef struct life_pending life_pending;

/**
 * \brief Starts a unary call without waiting for its answer. Returns once the request is
 * queued (and written as far as the socket takes it). The answer is collected with
 * life_pending_wait(); while any call of the client waits or polls, frames of every open call
 * are delivered, so many calls can be in flight from one thread. A call's deadline is
 * enforced while the caller waits on it.
 * \param client a client.
 * \param method a unary method (e.g. the generated `life_health_check_method`).
 * \param request a message of type `method->input`, or NULL for the empty message.
 * \param options per-call options, or NULL. The deadline counts from this call.
 * \param[out] pending on #LIFE_OK the call in flight (release it with life_pending_free()).
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK, or the status code of the failure to start (as life_call_unary()).
 */
LIFE_API life_code life_call_start(life_client *client, const life_method *method, const ProtobufCMessage *request,
    const life_call_options *options, life_pending **pending, life_error **error);

/**
 * \brief Waits for a started call's answer (at most until its deadline).
 * \param pending a call from life_call_start().
 * \param[out] response on #LIFE_OK the decoded response (free with life_message_free()), or
 *             NULL when not wanted (pass NULL).
 * \param[out] error on failure the error (may be NULL).
 * \return #LIFE_OK or the call's status code; asking again returns the same outcome.
 */
LIFE_API life_code life_pending_wait(life_pending *pending, ProtobufCMessage **response, life_error **error);

/**
 * \brief Whether a started call has its outcome already (then life_pending_wait() does not
 * block). Outcomes arrive while the client waits on any call or in life_client_poll().
 * \param pending a call from life_call_start(). \return 1 if finished, else 0.
 */
LIFE_API int life_pending_done(const life_pending *pending);

/**
 * \brief Releases a started call, cancelling it (CANCEL to the server) if it is still open.
 * \param pending a call from life_call_start(), or NULL.
 */
LIFE_API void life_pending_free(life_pending *pending);

/**
 * \brief Releases a message returned by a call or a stream.
 * \param message a protobuf-c message (any type), or NULL.
 */
LIFE_API void life_message_free(void *message);

#ifdef __cplusplus
}
#endif

#endif /* LIFE_CLIENT_H_ */
