/* Transports: Unix socket or TCP + TLS 1.3 with a client certificate. Non-blocking sockets,
 * every wait bounded by a deadline with poll(2). Writes use send(MSG_NOSIGNAL) (through a
 * small BIO for TLS), so a closed peer never raises SIGPIPE. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "transport.h"

/* ---- a socket BIO that never raises SIGPIPE --------------------------------------------- */

static int bio_write(BIO *bio, const char *data, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    ssize_t n = send(fd, data, (size_t)len, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            BIO_set_retry_write(bio);
        }
        return -1;
    }
    return (int)n;
}

static int bio_read(BIO *bio, char *data, int len)
{
    int fd = (int)(intptr_t)BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    ssize_t n = recv(fd, data, (size_t)len, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            BIO_set_retry_read(bio);
        }
        return -1;
    }
    return (int)n;
}

static long bio_ctrl(BIO *bio, int command, long number, void *pointer)
{
    (void)bio;
    (void)number;
    (void)pointer;
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD *life_bio_method_new(void)
{
    BIO_METHOD *method = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "lifeclient socket");
    if (method == NULL) {
        return NULL;
    }
    if (BIO_meth_set_write(method, bio_write) != 1 || BIO_meth_set_read(method, bio_read) != 1
        || BIO_meth_set_ctrl(method, bio_ctrl) != 1 || BIO_meth_set_create(method, bio_create) != 1) {
        BIO_meth_free(method);
        return NULL;
    }
    return method;
}

/* ---- errors ---------------------------------------------------------------------------- */

static void openssl_text(char *out, size_t size)
{
    unsigned long code = ERR_peek_last_error();
    if (code == 0) {
        snprintf(out, size, "no detail");
    } else {
        ERR_error_string_n(code, out, size);
    }
}

/* Alerts by which a server refuses the client certificate. */
static int is_certificate_refusal(unsigned long code)
{
    if (ERR_GET_LIB(code) != ERR_LIB_SSL) {
        return 0;
    }
    switch (ERR_GET_REASON(code)) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Describes a failed TLS operation and picks its status code. */
static life_code tls_failure(SSL *ssl, const char *what, char *text, size_t size)
{
    unsigned long code = ERR_peek_last_error();
    char detail[256];
    openssl_text(detail, sizeof detail);
    if (ssl != NULL && SSL_get_verify_result(ssl) != X509_V_OK) {
        snprintf(text, size, "%s: the server certificate did not verify: %s", what,
            X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
        return LIFE_UNAVAILABLE;
    }
    if (is_certificate_refusal(code)) {
        snprintf(text, size, "%s: the server refused the client certificate (%s)", what, detail);
        return LIFE_UNAUTHENTICATED;
    }
    snprintf(text, size, "%s: %s", what, detail);
    return LIFE_UNAVAILABLE;
}

/* ---- TLS context ----------------------------------------------------------------------- */

SSL_CTX *life_tls_context_new(const life_config *config, life_error **error)
{
    char detail[256];
    ERR_clear_error();
    if (config->ca_file == NULL) {
        *error = life_error_new(LIFE_INVALID_ARGUMENT, "TLS needs a CA file (life_config_set_ca_file)");
        return NULL;
    }
    if (config->cert == NULL && config->cert_file == NULL) {
        *error = life_error_new(LIFE_INVALID_ARGUMENT,
            "TLS needs a client certificate (life_config_set_client_certificate_files)");
        return NULL;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        openssl_text(detail, sizeof detail);
        *error = life_error_newf(LIFE_INTERNAL, "cannot create a TLS context: %s", detail);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_load_verify_locations(ctx, config->ca_file, NULL) != 1) {
        openssl_text(detail, sizeof detail);
        *error = life_error_newf(LIFE_INVALID_ARGUMENT, "cannot load the CA file %s: %s", config->ca_file, detail);
        SSL_CTX_free(ctx);
        return NULL;
    }
    int ok;
    if (config->cert != NULL) {
        ok = SSL_CTX_use_certificate(ctx, config->cert) == 1 && SSL_CTX_use_PrivateKey(ctx, config->key) == 1;
    } else {
        ok = SSL_CTX_use_certificate_chain_file(ctx, config->cert_file) == 1
            && SSL_CTX_use_PrivateKey_file(ctx, config->key_file, SSL_FILETYPE_PEM) == 1;
    }
    if (!ok || SSL_CTX_check_private_key(ctx) != 1) {
        openssl_text(detail, sizeof detail);
        *error = life_error_newf(LIFE_INVALID_ARGUMENT, "cannot use the client certificate and key: %s", detail);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- connecting ------------------------------------------------------------------------ */

static int poll_ms(int64_t deadline_ns)
{
    int64_t left = deadline_ns - life_now_ns();
    if (left <= 0) {
        return 0;
    }
    int64_t ms = (left + 999999) / 1000000;
    return ms > 1000000000 ? 1000000000 : (int)ms;
}

/* Waits for `events` on fd until the deadline. 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline_ns)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int timeout = poll_ms(deadline_ns);
        int n = poll(&p, 1, timeout);
        if (n > 0) {
            return 1;
        }
        if (n == 0) {
            if (life_now_ns() >= deadline_ns) {
                return 0;
            }
            continue;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

static life_code connect_socket(int fd, const struct sockaddr *address, socklen_t length, int64_t deadline_ns,
    char *text, size_t size, const char *where)
{
    if (connect(fd, address, length) == 0) {
        return LIFE_OK;
    }
    if (errno != EINPROGRESS && errno != EAGAIN) {
        snprintf(text, size, "cannot connect to %s: %s", where, strerror(errno));
        return LIFE_UNAVAILABLE;
    }
    int ready = wait_fd(fd, POLLOUT, deadline_ns);
    if (ready == 0) {
        snprintf(text, size, "connecting to %s timed out", where);
        return LIFE_DEADLINE_EXCEEDED;
    }
    int failure = 0;
    socklen_t failure_length = sizeof failure;
    if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &failure_length) != 0) {
        failure = errno;
    }
    if (failure != 0) {
        snprintf(text, size, "cannot connect to %s: %s", where, strerror(failure));
        return LIFE_UNAVAILABLE;
    }
    return LIFE_OK;
}

static life_code connect_unix(life_conn *conn, const life_config *config, int64_t deadline_ns, char *text,
    size_t size)
{
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path, config->unix_path, strlen(config->unix_path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(text, size, "cannot create a socket: %s", strerror(errno));
        return LIFE_UNAVAILABLE;
    }
    life_code code = connect_socket(fd, (struct sockaddr *)&address, sizeof address, deadline_ns, text, size,
        config->unix_path);
    if (code != LIFE_OK) {
        close(fd);
        return code;
    }
    conn->fd = fd;
    return LIFE_OK;
}

static life_code connect_tcp(life_conn *conn, const life_config *config, int64_t deadline_ns, char *text,
    size_t size)
{
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)config->port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    struct addrinfo *addresses = NULL;
    int status = getaddrinfo(config->host, port, &hints, &addresses);
    if (status != 0) {
        snprintf(text, size, "cannot resolve %s: %s", config->host, gai_strerror(status));
        return LIFE_UNAVAILABLE;
    }
    life_code code = LIFE_UNAVAILABLE;
    snprintf(text, size, "no address for %s", config->host);
    char where[300];
    snprintf(where, sizeof where, "%s port %s", config->host, port);
    for (struct addrinfo *a = addresses; a != NULL; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            snprintf(text, size, "cannot create a socket: %s", strerror(errno));
            continue;
        }
        code = connect_socket(fd, a->ai_addr, a->ai_addrlen, deadline_ns, text, size, where);
        if (code == LIFE_OK) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            conn->fd = fd;
            break;
        }
        close(fd);
        if (code == LIFE_DEADLINE_EXCEEDED) {
            break;
        }
    }
    freeaddrinfo(addresses);
    return code;
}

static life_code handshake(life_conn *conn, const life_config *config, SSL_CTX *ctx, BIO_METHOD *method,
    int64_t deadline_ns, char *text, size_t size)
{
    ERR_clear_error();
    SSL *ssl = SSL_new(ctx);
    BIO *bio = method != NULL ? BIO_new(method) : NULL;
    if (ssl == NULL || bio == NULL) {
        SSL_free(ssl);
        BIO_free(bio);
        snprintf(text, size, "out of memory for TLS");
        return LIFE_RESOURCE_EXHAUSTED;
    }
    BIO_set_data(bio, (void *)(intptr_t)conn->fd);
    SSL_set_bio(ssl, bio, bio);
    conn->ssl = ssl;
    const char *name = config->server_name != NULL ? config->server_name : config->host;
    unsigned char ip[16];
    int is_ip = inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1;
    int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
                   : (SSL_set1_host(ssl, name) == 1 && SSL_set_tlsext_host_name(ssl, name) == 1);
    if (!ok) {
        snprintf(text, size, "cannot set the expected server name %s", name);
        return LIFE_INVALID_ARGUMENT;
    }
    for (;;) {
        ERR_clear_error();
        int result = SSL_connect(ssl);
        if (result == 1) {
            return LIFE_OK;
        }
        int reason = SSL_get_error(ssl, result);
        short events;
        if (reason == SSL_ERROR_WANT_READ) {
            events = POLLIN;
        } else if (reason == SSL_ERROR_WANT_WRITE) {
            events = POLLOUT;
        } else if (reason == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0) {
            snprintf(text, size, "TLS handshake: connection closed by the server");
            return LIFE_UNAVAILABLE;
        } else {
            return tls_failure(ssl, "TLS handshake", text, size);
        }
        int ready = wait_fd(conn->fd, events, deadline_ns);
        if (ready == 0) {
            snprintf(text, size, "TLS handshake timed out");
            return LIFE_DEADLINE_EXCEEDED;
        }
        if (ready < 0) {
            snprintf(text, size, "TLS handshake: %s", strerror(errno));
            return LIFE_UNAVAILABLE;
        }
    }
}

life_code life_transport_connect(life_conn *conn, const life_config *config, SSL_CTX *ctx, BIO_METHOD *method,
    int64_t deadline_ns, char *text, size_t size)
{
    if (config->transport == LIFE_TRANSPORT_UNIX) {
        return connect_unix(conn, config, deadline_ns, text, size);
    }
    life_code code = connect_tcp(conn, config, deadline_ns, text, size);
    if (code != LIFE_OK) {
        return code;
    }
    return handshake(conn, config, ctx, method, deadline_ns, text, size);
}

/* ---- reading and writing --------------------------------------------------------------- */

int life_transport_read(life_conn *conn)
{
    uint8_t chunk[16384];
    if (conn->closed || conn->fd < 0) {
        return -1;
    }
    conn->ssl_wants_write = 0;
    if (conn->ssl == NULL) {
        ssize_t n = recv(conn->fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            return life_conn_ingest(conn, chunk, (size_t)n) == 0 ? 1 : -1;
        }
        if (n == 0) {
            life_conn_eof(conn, NULL);
            return -1;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return 0;
        }
        char text[200];
        snprintf(text, sizeof text, "reading: %s", strerror(errno));
        life_conn_eof(conn, text);
        return -1;
    }
    ERR_clear_error();
    size_t n = 0;
    if (SSL_read_ex(conn->ssl, chunk, sizeof chunk, &n) == 1) {
        return life_conn_ingest(conn, chunk, n) == 0 ? 1 : -1;
    }
    int reason = SSL_get_error(conn->ssl, 0);
    switch (reason) {
    case SSL_ERROR_WANT_READ:
        return 0;
    case SSL_ERROR_WANT_WRITE:
        conn->ssl_wants_write = 1;
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        life_conn_eof(conn, NULL);
        return -1;
    case SSL_ERROR_SYSCALL: {
        char text[200];
        snprintf(text, sizeof text, "reading: %s", errno != 0 ? strerror(errno) : "end of stream");
        life_conn_eof(conn, text);
        return -1;
    }
    default: {
        char text[400];
        life_code code = tls_failure(conn->ssl, "TLS", text, sizeof text);
        /* A refused certificate is final (not a transient refusal): not retryable. */
        life_conn_fail(conn, code, text, code == LIFE_UNAVAILABLE && !conn->settings_ok);
        return -1;
    }
    }
}

static void write_failed(life_conn *conn, const char *text);

int life_transport_flush(life_conn *conn)
{
    while (conn->out.len > 0 && !conn->closed) {
        size_t written = 0;
        if (conn->ssl == NULL) {
            ssize_t n = send(conn->fd, conn->out.data, conn->out.len, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    return 0;
                }
                char text[200];
                snprintf(text, sizeof text, "writing: %s", strerror(errno));
                write_failed(conn, text);
                return -1;
            }
            written = (size_t)n;
        } else {
            ERR_clear_error();
            if (SSL_write_ex(conn->ssl, conn->out.data, conn->out.len, &written) != 1) {
                int reason = SSL_get_error(conn->ssl, 0);
                if (reason == SSL_ERROR_WANT_WRITE || reason == SSL_ERROR_WANT_READ) {
                    return 0;
                }
                char text[400];
                if (reason == SSL_ERROR_SYSCALL) {
                    snprintf(text, sizeof text, "writing: %s", errno != 0 ? strerror(errno) : "end of stream");
                    write_failed(conn, text);
                } else {
                    life_code code = tls_failure(conn->ssl, "TLS", text, sizeof text);
                    life_conn_fail(conn, code, text, 0);
                }
                return -1;
            }
        }
        life_buf_consume(&conn->out, written);
        conn->sent_total += written;
    }
    return conn->closed ? -1 : 0;
}

/* A write failed (EPIPE, ECONNRESET): the server may have said why (GOAWAY) in bytes still
 * waiting to be read. Read them first, so calls are failed with what the server said. */
static void write_failed(life_conn *conn, const char *text)
{
    for (int i = 0; i < 64 && !conn->closed && life_transport_read(conn) > 0; i++) {
    }
    if (!conn->closed) {
        life_conn_eof(conn, text);
    }
}

int life_transport_has_pending(const life_conn *conn)
{
    return conn->ssl != NULL && SSL_pending(conn->ssl) > 0;
}
