/* The configuration's fields (internal). */
#ifndef LIFE_CONFIG_H_
#define LIFE_CONFIG_H_

#include "internal.h"

typedef enum life_transport {
    LIFE_TRANSPORT_NONE = 0,
    LIFE_TRANSPORT_UNIX,
    LIFE_TRANSPORT_TLS,
} life_transport;

struct life_config {
    life_transport transport;
    char *unix_path;
    char *host;
    uint16_t port;
    char *ca_file;
    char *server_name;
    char *cert_file;
    char *key_file;
    X509 *cert;
    EVP_PKEY *key;
    uint64_t connect_timeout_ms;
    uint64_t default_timeout_ms;
    uint32_t max_receive_frame_size;
    size_t max_stream_buffer;
};

/* Deep copy (strings duplicated, certificate and key up-referenced). 0 or -1. */
int life_config_copy(life_config *to, const life_config *from);
/* Frees the fields of a configuration that is not itself heap-allocated. */
void life_config_clear(life_config *config);

#endif /* LIFE_CONFIG_H_ */
