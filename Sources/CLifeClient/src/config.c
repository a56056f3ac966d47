/* life_config: where and how to connect; life_cancel: a cross-thread cancellation signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

life_config *life_config_new(void)
{
    life_config *config = calloc(1, sizeof *config);
    if (config == NULL) {
        return NULL;
    }
    config->connect_timeout_ms = 10000;
    config->default_timeout_ms = 30000;
    config->max_stream_buffer = 16u << 20;
    return config;
}

void life_config_clear(life_config *config)
{
    free(config->unix_path);
    free(config->host);
    free(config->ca_file);
    free(config->server_name);
    free(config->cert_file);
    free(config->key_file);
    X509_free(config->cert);
    EVP_PKEY_free(config->key);
    memset(config, 0, sizeof *config);
}

void life_config_free(life_config *config)
{
    if (config == NULL) {
        return;
    }
    life_config_clear(config);
    free(config);
}

static int set_string(char **slot, const char *value, size_t max)
{
    if (value == NULL || value[0] == '\0' || strlen(value) > max) {
        return -1;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        return -1;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

int life_config_set_unix(life_config *config, const char *path)
{
    struct sockaddr_un address;
    if (config == NULL || set_string(&config->unix_path, path, sizeof address.sun_path - 1) != 0) {
        return -1;
    }
    config->transport = LIFE_TRANSPORT_UNIX;
    return 0;
}

int life_config_set_tls(life_config *config, const char *host, uint16_t port)
{
    if (config == NULL || port == 0 || set_string(&config->host, host, 253) != 0) {
        return -1;
    }
    config->port = port;
    config->transport = LIFE_TRANSPORT_TLS;
    return 0;
}

int life_config_set_ca_file(life_config *config, const char *path)
{
    return config == NULL ? -1 : set_string(&config->ca_file, path, 4096);
}

int life_config_set_server_name(life_config *config, const char *name)
{
    return config == NULL ? -1 : set_string(&config->server_name, name, 253);
}

int life_config_set_client_certificate_files(life_config *config, const char *certificate_path,
    const char *key_path)
{
    if (config == NULL || set_string(&config->cert_file, certificate_path, 4096) != 0
        || set_string(&config->key_file, key_path, 4096) != 0) {
        return -1;
    }
    X509_free(config->cert);
    EVP_PKEY_free(config->key);
    config->cert = NULL;
    config->key = NULL;
    return 0;
}

int life_config_set_client_certificate(life_config *config, X509 *certificate, EVP_PKEY *key)
{
    if (config == NULL || certificate == NULL || key == NULL) {
        return -1;
    }
    if (X509_up_ref(certificate) != 1) {
        return -1;
    }
    if (EVP_PKEY_up_ref(key) != 1) {
        X509_free(certificate);
        return -1;
    }
    X509_free(config->cert);
    EVP_PKEY_free(config->key);
    config->cert = certificate;
    config->key = key;
    free(config->cert_file);
    free(config->key_file);
    config->cert_file = config->key_file = NULL;
    return 0;
}

void life_config_set_connect_timeout_ms(life_config *config, uint64_t timeout_ms)
{
    if (config != NULL && timeout_ms > 0) {
        config->connect_timeout_ms = timeout_ms;
    }
}

void life_config_set_default_timeout_ms(life_config *config, uint64_t timeout_ms)
{
    if (config != NULL && timeout_ms > 0) {
        config->default_timeout_ms = timeout_ms;
    }
}

void life_config_set_max_receive_frame_size(life_config *config, uint32_t bytes)
{
    if (config != NULL && bytes >= 1024) {
        config->max_receive_frame_size = bytes;
    }
}

void life_config_set_max_stream_buffer(life_config *config, size_t bytes)
{
    if (config != NULL) {
        config->max_stream_buffer = bytes;
    }
}

static char *copy_string(const char *value, int *failed)
{
    if (value == NULL) {
        return NULL;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        *failed = 1;
    }
    return copy;
}

int life_config_copy(life_config *to, const life_config *from)
{
    int failed = 0;
    *to = *from;
    to->unix_path = copy_string(from->unix_path, &failed);
    to->host = copy_string(from->host, &failed);
    to->ca_file = copy_string(from->ca_file, &failed);
    to->server_name = copy_string(from->server_name, &failed);
    to->cert_file = copy_string(from->cert_file, &failed);
    to->key_file = copy_string(from->key_file, &failed);
    to->cert = NULL;
    to->key = NULL;
    if (from->cert != NULL && X509_up_ref(from->cert) == 1) {
        to->cert = from->cert;
    }
    if (from->key != NULL && EVP_PKEY_up_ref(from->key) == 1) {
        to->key = from->key;
    }
    if (failed || (from->cert != NULL && to->cert == NULL) || (from->key != NULL && to->key == NULL)) {
        life_config_clear(to);
        return -1;
    }
    return 0;
}

/* ---- cancellation ---------------------------------------------------------------------- */

struct life_cancel {
    int fds[2];
    atomic_int triggered;
};

life_cancel *life_cancel_new(void)
{
    life_cancel *cancel = calloc(1, sizeof *cancel);
    if (cancel == NULL) {
        return NULL;
    }
    if (pipe2(cancel->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(cancel);
        return NULL;
    }
    atomic_init(&cancel->triggered, 0);
    return cancel;
}

void life_cancel_trigger(life_cancel *cancel)
{
    int saved = errno;
    if (atomic_exchange(&cancel->triggered, 1) == 0) {
        char byte = 1;
        ssize_t ignored = write(cancel->fds[1], &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int life_cancel_is_triggered(const life_cancel *cancel)
{
    return atomic_load(&((life_cancel *)cancel)->triggered) != 0;
}

int life_cancel_fd(const life_cancel *cancel)
{
    return cancel != NULL ? cancel->fds[0] : -1;
}

void life_cancel_free(life_cancel *cancel)
{
    if (cancel == NULL) {
        return;
    }
    close(cancel->fds[0]);
    close(cancel->fds[1]);
    free(cancel);
}

int64_t life_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}
