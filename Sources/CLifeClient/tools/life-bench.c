/* life-bench: Health.Check through liblifeclient, for the README's benchmark rows.
 *
 *   life-bench (--socket PATH | --tls HOST:PORT --ca CA --cert CERT --key KEY)
 *              [--seconds S] [--connections N] [--in-flight K]
 *
 * Runs for S seconds (default 5) on N connections (default 1; one thread and one client each)
 * with K calls in flight on each (default 1: the blocking life_health_check; more: calls
 * multiplexed with life_call_start / life_pending_wait), then prints one line: calls, calls/s,
 * p50 and p99 latency in microseconds. Every call must succeed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "life/client.h"
#include "life/v1/health.lrpc-c.h"

typedef struct bench_options {
    const char *socket_path;
    char host[256];
    uint16_t port;
    const char *ca;
    const char *cert;
    const char *key;
    double seconds;
    long connections;
    long in_flight;
} bench_options;

typedef struct worker {
    const bench_options *options;
    uint64_t *latencies_ns;
    size_t count;
    size_t capacity;
    int failed;
    char failure[300];
} worker;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int record(worker *w, uint64_t took)
{
    if (w->count == w->capacity) {
        size_t capacity = w->capacity == 0 ? 65536 : w->capacity * 2;
        uint64_t *grown = realloc(w->latencies_ns, capacity * sizeof *grown);
        if (grown == NULL) {
            w->failed = 1;
            snprintf(w->failure, sizeof w->failure, "out of memory");
            return -1;
        }
        w->latencies_ns = grown;
        w->capacity = capacity;
    }
    w->latencies_ns[w->count++] = took;
    return 0;
}

/* K calls in flight on one connection: wait for the oldest, start the next in its place. */
static void run_multiplexed(worker *w, life_client *client, const life_call_options *options, uint64_t end)
{
    long k = w->options->in_flight;
    life_pending **pending = calloc((size_t)k, sizeof *pending);
    uint64_t *started = calloc((size_t)k, sizeof *started);
    if (pending == NULL || started == NULL) {
        w->failed = 1;
        free(pending);
        free(started);
        return;
    }
    life_error *error = NULL;
    for (long i = 0; i < k && !w->failed; i++) {
        started[i] = now_ns();
        if (life_call_start(client, &life_health_check_method, NULL, options, &pending[i], &error) != LIFE_OK) {
            w->failed = 1;
            snprintf(w->failure, sizeof w->failure, "start: %s", error != NULL ? life_error_message(error) : "");
        }
    }
    for (long i = 0; !w->failed; i = (i + 1) % k) {
        life_code code = life_pending_wait(pending[i], NULL, &error);
        uint64_t done = now_ns();
        life_pending_free(pending[i]);
        pending[i] = NULL;
        if (code != LIFE_OK) {
            w->failed = 1;
            snprintf(w->failure, sizeof w->failure, "%s: %s", life_code_name(code), error != NULL ? life_error_message(error) : "");
            break;
        }
        if (record(w, done - started[i]) != 0 || done >= end) {
            break;
        }
        started[i] = now_ns();
        if (life_call_start(client, &life_health_check_method, NULL, options, &pending[i], &error) != LIFE_OK) {
            w->failed = 1;
            snprintf(w->failure, sizeof w->failure, "start: %s", error != NULL ? life_error_message(error) : "");
        }
    }
    for (long i = 0; i < k; i++) {
        life_pending_free(pending[i]);
    }
    life_error_free(error);
    free(pending);
    free(started);
}

static void *run(void *arg)
{
    worker *w = arg;
    const bench_options *o = w->options;
    life_config *config = life_config_new();
    if (o->socket_path != NULL) {
        life_config_set_unix(config, o->socket_path);
    } else {
        life_config_set_tls(config, o->host, o->port);
        life_config_set_ca_file(config, o->ca);
        life_config_set_client_certificate_files(config, o->cert, o->key);
    }
    life_client *client = NULL;
    life_error *error = NULL;
    life_code code = life_client_new(config, &client, &error);
    life_config_free(config);
    if (code != LIFE_OK) {
        w->failed = 1;
        snprintf(w->failure, sizeof w->failure, "connect: %s", error != NULL ? life_error_message(error) : "");
        life_error_free(error);
        return NULL;
    }
    life_call_options options = {.timeout_ms = 5000};
    uint64_t end = now_ns() + (uint64_t)(o->seconds * 1e9);
    if (o->in_flight > 1) {
        run_multiplexed(w, client, &options, end);
        life_client_free(client);
        return NULL;
    }
    while (now_ns() < end) {
        Life__V1__HealthCheckResponse *response = NULL;
        uint64_t start = now_ns();
        code = life_health_check(client, NULL, &response, &options, &error);
        uint64_t took = now_ns() - start;
        life_message_free(response);
        if (code != LIFE_OK) {
            w->failed = 1;
            snprintf(w->failure, sizeof w->failure, "%s: %s", life_code_name(code),
                error != NULL ? life_error_message(error) : "");
            life_error_free(error);
            break;
        }
        if (record(w, took) != 0) {
            break;
        }
    }
    life_client_free(client);
    return NULL;
}

static int compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    bench_options o;
    memset(&o, 0, sizeof o);
    o.seconds = 5;
    o.connections = 1;
    o.in_flight = 1;
    const char *tls = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *arg = argv[i];
        const char *value = argv[i + 1];
        if (strcmp(arg, "--socket") == 0) {
            o.socket_path = value;
        } else if (strcmp(arg, "--tls") == 0) {
            tls = value;
        } else if (strcmp(arg, "--ca") == 0) {
            o.ca = value;
        } else if (strcmp(arg, "--cert") == 0) {
            o.cert = value;
        } else if (strcmp(arg, "--key") == 0) {
            o.key = value;
        } else if (strcmp(arg, "--seconds") == 0) {
            o.seconds = strtod(value, NULL);
        } else if (strcmp(arg, "--connections") == 0) {
            o.connections = strtol(value, NULL, 10);
        } else if (strcmp(arg, "--in-flight") == 0) {
            o.in_flight = strtol(value, NULL, 10);
        } else {
            fprintf(stderr, "unknown option %s\n", arg);
            return 2;
        }
    }
    if (tls != NULL) {
        const char *colon = strrchr(tls, ':');
        if (colon == NULL || (size_t)(colon - tls) >= sizeof o.host || o.ca == NULL || o.cert == NULL || o.key == NULL) {
            fprintf(stderr, "--tls needs HOST:PORT, --ca, --cert and --key\n");
            return 2;
        }
        memcpy(o.host, tls, (size_t)(colon - tls));
        o.port = (uint16_t)strtoul(colon + 1, NULL, 10);
    }
    if ((o.socket_path == NULL && tls == NULL) || o.connections < 1 || o.connections > 1024 || o.in_flight < 1
        || o.in_flight > 128 || !(o.seconds > 0)) {
        fprintf(stderr, "usage: life-bench (--socket PATH | --tls HOST:PORT --ca CA --cert CERT --key KEY) "
                        "[--seconds S] [--connections N] [--in-flight K]\n");
        return 2;
    }
    worker *workers = calloc((size_t)o.connections, sizeof *workers);
    pthread_t *threads = calloc((size_t)o.connections, sizeof *threads);
    if (workers == NULL || threads == NULL) {
        return 1;
    }
    uint64_t start = now_ns();
    for (long i = 0; i < o.connections; i++) {
        workers[i].options = &o;
        pthread_create(&threads[i], NULL, run, &workers[i]);
    }
    size_t total = 0;
    int failed = 0;
    for (long i = 0; i < o.connections; i++) {
        pthread_join(threads[i], NULL);
        total += workers[i].count;
        if (workers[i].failed) {
            fprintf(stderr, "connection %ld: %s\n", i, workers[i].failure);
            failed = 1;
        }
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    uint64_t *all = malloc((total > 0 ? total : 1) * sizeof *all);
    size_t n = 0;
    for (long i = 0; i < o.connections && all != NULL; i++) {
        memcpy(all + n, workers[i].latencies_ns, workers[i].count * sizeof *all);
        n += workers[i].count;
        free(workers[i].latencies_ns);
    }
    if (all != NULL && n > 0) {
        qsort(all, n, sizeof *all, compare);
        printf("%s  %ld x %ld  calls %zu  calls/s %.0f  p50 %.0f us  p99 %.0f us\n", o.socket_path != NULL ? "unix" : "tls",
            o.connections, o.in_flight, n, (double)n / elapsed, (double)all[n / 2] / 1000.0, (double)all[n * 99 / 100] / 1000.0);
    }
    free(all);
    free(workers);
    free(threads);
    return failed || n == 0;
}
