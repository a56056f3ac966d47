/* Transports (internal). */
#ifndef LIFE_TRANSPORT_H_
#define LIFE_TRANSPORT_H_

#include "config.h"

/* A BIO method over a socket descriptor that writes with MSG_NOSIGNAL. Owned by the client. */
BIO_METHOD *life_bio_method_new(void);
/* The client's TLS context: TLS 1.3 minimum, CA, client certificate. NULL and *error on failure. */
SSL_CTX *life_tls_context_new(const life_config *config, life_error **error);
/* Connects conn (socket, and TLS handshake for TLS) before the deadline. On failure returns
 * the code and writes a message into text. */
life_code life_transport_connect(life_conn *conn, const life_config *config, SSL_CTX *ctx, BIO_METHOD *method,
    int64_t deadline_ns, char *text, size_t size);
/* Reads what is available and ingests it: 1 bytes read, 0 nothing now, -1 the connection ended. */
int life_transport_read(life_conn *conn);
/* Writes what it can of conn->out without blocking: 0 (done or would block), -1 ended. */
int life_transport_flush(life_conn *conn);
/* TLS has decrypted bytes buffered that poll(2) cannot see. */
int life_transport_has_pending(const life_conn *conn);

#endif /* LIFE_TRANSPORT_H_ */
