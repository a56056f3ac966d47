/* Error objects: status code, message, server details, retry and GOAWAY flags. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "life/v1/wire.pb-c.h"

typedef struct life_violation {
    char *field;
    char *reason;
    char *description;
} life_violation;

struct life_error {
    life_code code;
    char *message;
    char *reason;
    uint64_t retry_after_ms;
    life_violation *violations;
    size_t violation_count;
    int retryable;
    int local;
    int goaway_reason;
};

static const char *const code_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED",
};

static const char *const goaway_names[] = {
    "UNSPECIFIED", "SHUTDOWN", "PROTOCOL_ERROR", "FRAME_TOO_LARGE", "BAD_PREFACE",
    "UNSUPPORTED_VERSION", "IDLE_TIMEOUT", "TOO_MANY_CONNECTIONS", "KEEPALIVE_TIMEOUT",
    "HANDSHAKE_TIMEOUT", "PEER_NOT_ALLOWED", "CERTIFICATE_REVOKED",
};

const char *life_code_name(life_code code)
{
    if ((int)code < 0 || (size_t)code >= sizeof code_names / sizeof code_names[0]) {
        return "UNKNOWN";
    }
    return code_names[code];
}

const char *life_goaway_reason_name(int reason)
{
    if (reason < 0 || (size_t)reason >= sizeof goaway_names / sizeof goaway_names[0]) {
        return "UNKNOWN";
    }
    return goaway_names[reason];
}

static char *dup_or_empty(const char *text)
{
    return strdup(text != NULL ? text : "");
}

/* Out of memory while making an error: a static fallback would need global state, so callers
 * get NULL and report the bare code. */
life_error *life_error_new(life_code code, const char *message)
{
    life_error *error = calloc(1, sizeof *error);
    if (error == NULL) {
        return NULL;
    }
    error->code = code;
    error->message = dup_or_empty(message);
    error->reason = dup_or_empty(NULL);
    error->local = 1;
    if (error->message == NULL || error->reason == NULL) {
        life_error_free(error);
        return NULL;
    }
    return error;
}

life_error *life_error_newf(life_code code, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    return life_error_new(code, text);
}

life_error *life_error_from_status(const void *status_message)
{
    const Life__V1__CallStatus *status = status_message;
    int number = (int)status->code;
    life_code code = (number >= 0 && number <= 16) ? (life_code)number : LIFE_UNKNOWN;
    life_error *error = life_error_new(code, status->message);
    if (error == NULL) {
        return NULL;
    }
    error->local = 0;
    const Life__V1__ErrorDetails *details = status->details;
    if (details == NULL) {
        return error;
    }
    if (details->reason != NULL && details->reason[0] != '\0') {
        free(error->reason);
        error->reason = strdup(details->reason);
        if (error->reason == NULL) {
            life_error_free(error);
            return NULL;
        }
    }
    error->retry_after_ms = details->retry_after_ms;
    if (details->n_field_violations > 0) {
        error->violations = calloc(details->n_field_violations, sizeof *error->violations);
        if (error->violations == NULL) {
            life_error_free(error);
            return NULL;
        }
        error->violation_count = details->n_field_violations;
        for (size_t i = 0; i < details->n_field_violations; i++) {
            const Life__V1__FieldViolation *v = details->field_violations[i];
            life_violation *out = &error->violations[i];
            out->field = dup_or_empty(v != NULL ? v->field : NULL);
            out->reason = dup_or_empty(v != NULL ? v->reason : NULL);
            out->description = dup_or_empty(v != NULL ? v->description : NULL);
            if (out->field == NULL || out->reason == NULL || out->description == NULL) {
                life_error_free(error);
                return NULL;
            }
        }
    }
    return error;
}

life_error *life_error_dup(const life_error *error)
{
    if (error == NULL) {
        return NULL;
    }
    life_error *copy = life_error_new(error->code, error->message);
    if (copy == NULL) {
        return NULL;
    }
    free(copy->reason);
    copy->reason = strdup(error->reason);
    copy->retry_after_ms = error->retry_after_ms;
    copy->retryable = error->retryable;
    copy->local = error->local;
    copy->goaway_reason = error->goaway_reason;
    if (copy->reason == NULL) {
        life_error_free(copy);
        return NULL;
    }
    if (error->violation_count > 0) {
        copy->violations = calloc(error->violation_count, sizeof *copy->violations);
        if (copy->violations == NULL) {
            life_error_free(copy);
            return NULL;
        }
        copy->violation_count = error->violation_count;
        for (size_t i = 0; i < error->violation_count; i++) {
            copy->violations[i].field = strdup(error->violations[i].field);
            copy->violations[i].reason = strdup(error->violations[i].reason);
            copy->violations[i].description = strdup(error->violations[i].description);
            if (copy->violations[i].field == NULL || copy->violations[i].reason == NULL
                || copy->violations[i].description == NULL) {
                life_error_free(copy);
                return NULL;
            }
        }
    }
    return copy;
}

void life_error_set_local(life_error *error, int local)
{
    if (error != NULL) {
        error->local = local;
    }
}

void life_error_set_retryable(life_error *error, int retryable)
{
    if (error != NULL) {
        error->retryable = retryable;
    }
}

void life_error_set_goaway(life_error *error, int reason)
{
    if (error != NULL) {
        error->goaway_reason = reason;
    }
}

life_code life_error_give(life_error *err, life_error **out)
{
    life_code code = err != NULL ? err->code : LIFE_OK;
    if (out != NULL) {
        *out = err;
    } else {
        life_error_free(err);
    }
    return code;
}

life_code life_error_code(const life_error *error)
{
    return error->code;
}

const char *life_error_message(const life_error *error)
{
    return error->message;
}

const char *life_error_reason(const life_error *error)
{
    return error->reason;
}

uint64_t life_error_retry_after_ms(const life_error *error)
{
    return error->retry_after_ms;
}

size_t life_error_field_violation_count(const life_error *error)
{
    return error->violation_count;
}

int life_error_field_violation(const life_error *error, size_t index, const char **field,
    const char **reason, const char **description)
{
    if (index >= error->violation_count) {
        return -1;
    }
    if (field != NULL) {
        *field = error->violations[index].field;
    }
    if (reason != NULL) {
        *reason = error->violations[index].reason;
    }
    if (description != NULL) {
        *description = error->violations[index].description;
    }
    return 0;
}

int life_error_is_retryable(const life_error *error)
{
    return error->retryable;
}

int life_error_is_local(const life_error *error)
{
    return error->local;
}

int life_error_goaway_reason(const life_error *error)
{
    return error->goaway_reason;
}

void life_error_free(life_error *error)
{
    if (error == NULL) {
        return;
    }
    for (size_t i = 0; i < error->violation_count; i++) {
        free(error->violations[i].field);
        free(error->violations[i].reason);
        free(error->violations[i].description);
    }
    free(error->violations);
    free(error->message);
    free(error->reason);
    free(error);
}
