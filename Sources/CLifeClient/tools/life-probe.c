/* life-probe: a monitoring check of lifed for appliances without Swift, on liblifeclient.
 * Same exit codes as `lifectl probe`: 0 OK, 1 warning (the server certificate expires within
 * --warn-days), 2 critical (unreachable, not serving, handshake refused, certificate expired).
 * Prints one line.
 *
 *   life-probe [--socket PATH]                              Unix socket (default $LIFED_SOCKET
 *                                                           or /run/lifed/lifed.sock)
 *   life-probe --tls HOST:PORT --ca CA --cert CERT --key KEY
 *   options: --warn-days N (30) --samples N (5) --timeout SECONDS (5)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "life/client.h"
#include "life/v1/health.lrpc-c.h"

static void usage(void)
{
    fprintf(stderr,
        "usage: life-probe [--socket PATH | --tls HOST:PORT --ca CA --cert CERT --key KEY]\n"
        "                  [--warn-days N] [--samples N] [--timeout SECONDS]\n"
        "exit: 0 OK, 1 warning (certificate expires within --warn-days), 2 critical\n");
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *socket_path = NULL;
    const char *tls = NULL;
    const char *ca = NULL;
    const char *cert = NULL;
    const char *key = NULL;
    long warn_days = 30;
    long samples = 5;
    double timeout = 5;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage();
            return 0;
        }
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const char *value = argv[++i];
        if (strcmp(arg, "--socket") == 0) {
            socket_path = value;
        } else if (strcmp(arg, "--tls") == 0) {
            tls = value;
        } else if (strcmp(arg, "--ca") == 0) {
            ca = value;
        } else if (strcmp(arg, "--cert") == 0) {
            cert = value;
        } else if (strcmp(arg, "--key") == 0) {
            key = value;
        } else if (strcmp(arg, "--warn-days") == 0) {
            warn_days = strtol(value, NULL, 10);
        } else if (strcmp(arg, "--samples") == 0) {
            samples = strtol(value, NULL, 10);
        } else if (strcmp(arg, "--timeout") == 0) {
            timeout = strtod(value, NULL);
        } else {
            usage();
            return 2;
        }
    }
    if (samples < 1 || samples > 1000 || warn_days < 0 || !(timeout > 0)) {
        usage();
        return 2;
    }

    char endpoint[300];
    life_config *config = life_config_new();
    if (config == NULL) {
        printf("UNREACHABLE  -  out of memory\n");
        return 2;
    }
    uint64_t timeout_ms = (uint64_t)(timeout * 1000);
    life_config_set_connect_timeout_ms(config, timeout_ms);
    int bad = 0;
    if (tls != NULL) {
        const char *colon = strrchr(tls, ':');
        if (colon == NULL || ca == NULL || cert == NULL || key == NULL) {
            usage();
            life_config_free(config);
            return 2;
        }
        char host[256];
        size_t length = (size_t)(colon - tls);
        if (length >= sizeof host) {
            length = sizeof host - 1;
        }
        memcpy(host, tls, length);
        host[length] = '\0';
        if (host[0] == '[' && length > 1 && host[length - 1] == ']') {
            memmove(host, host + 1, length - 2);
            host[length - 2] = '\0';
        }
        bad |= life_config_set_tls(config, host, (uint16_t)strtoul(colon + 1, NULL, 10));
        bad |= life_config_set_ca_file(config, ca);
        bad |= life_config_set_client_certificate_files(config, cert, key);
        snprintf(endpoint, sizeof endpoint, "tls:%s", tls);
    } else {
        if (socket_path == NULL) {
            socket_path = getenv("LIFED_SOCKET");
        }
        if (socket_path == NULL || socket_path[0] == '\0') {
            socket_path = "/run/lifed/lifed.sock";
        }
        bad |= life_config_set_unix(config, socket_path);
        snprintf(endpoint, sizeof endpoint, "unix:%s", socket_path);
    }
    if (bad) {
        printf("UNREACHABLE  %s  invalid connection options\n", endpoint);
        life_config_free(config);
        return 2;
    }

    life_client *client = NULL;
    life_error *error = NULL;
    life_code code = life_client_new(config, &client, &error);
    life_config_free(config);
    if (code != LIFE_OK) {
        printf("UNREACHABLE  %s  %s: %s\n", endpoint, life_code_name(code), error != NULL ? life_error_message(error) : "");
        life_error_free(error);
        return 2;
    }

    uint64_t *latencies = calloc((size_t)samples, sizeof *latencies);
    Life__V1__HealthCheckResponse *response = NULL;
    life_call_options options = {.timeout_ms = timeout_ms};
    for (long i = 0; i < samples && latencies != NULL; i++) {
        struct timespec start;
        struct timespec end;
        life_message_free(response);
        response = NULL;
        clock_gettime(CLOCK_MONOTONIC, &start);
        code = life_health_check(client, NULL, &response, &options, &error);
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (code != LIFE_OK) {
            break;
        }
        latencies[i] = (uint64_t)(end.tv_sec - start.tv_sec) * 1000000000u + (uint64_t)end.tv_nsec - (uint64_t)start.tv_nsec;
    }
    life_client_free(client);
    if (latencies == NULL || code != LIFE_OK) {
        printf("UNREACHABLE  %s  %s: %s\n", endpoint, life_code_name(code), error != NULL ? life_error_message(error) : "out of memory");
        life_error_free(error);
        life_message_free(response);
        free(latencies);
        return 2;
    }
    qsort(latencies, (size_t)samples, sizeof *latencies, compare_u64);
    double median_ms = (double)latencies[samples / 2] / 1e6;
    free(latencies);

    const char *status = "UNKNOWN";
    if (response->status == LIFE__V1__SERVING_STATUS__SERVING_STATUS_SERVING) {
        status = "SERVING";
    } else if (response->status == LIFE__V1__SERVING_STATUS__SERVING_STATUS_NOT_SERVING) {
        status = "NOT_SERVING";
    }
    const Life__V1__ServerInfo *info = response->server;
    const char *version = info != NULL && info->version != NULL ? info->version : "?";
    double uptime_s = info != NULL ? (double)info->uptime_ms / 1000.0 : 0;
    int exit_code = 0;
    char verdict[160] = "OK";
    char certificate[80] = "";
    if (strcmp(status, "SERVING") != 0) {
        exit_code = 2;
        snprintf(verdict, sizeof verdict, "server answers but is not serving");
    } else if (info != NULL && info->certificate_not_after != NULL) {
        double left = difftime((time_t)info->certificate_not_after->seconds, time(NULL));
        long days = (long)(left / 86400.0);
        if (left < 0) {
            days = -1 - (long)(-left / 86400.0);
        }
        snprintf(certificate, sizeof certificate, "  certificate %ld days", days);
        if (left < 0) {
            exit_code = 2;
            snprintf(verdict, sizeof verdict, "server certificate expired");
        } else if (days < warn_days) {
            exit_code = 1;
            snprintf(verdict, sizeof verdict, "server certificate expires in %ld days (warning at %ld)", days, warn_days);
        }
    }
    printf("%s  %s  %s  lifed %s  uptime %.0fs  latency %.3f ms%s\n", status, endpoint, verdict, version, uptime_s,
        median_ms, certificate);
    life_message_free(response);
    return exit_code;
}
