/* lifegw-example: what a facility gateway appliance does with liblifeclient.
 *
 * Connects with the facility's client certificate over mutual TLS, checks the server, logs a
 * staff member in (password from a file or from stdin, never from argv), changes an initial
 * password when the server requires it, asks who it is, registers a recipient, finds it,
 * updates it, has its eligibility verified and removes it again, lists recipients and
 * verification results, watches recipient changes and the server's health for a while
 * (services that answer UNIMPLEMENTED until they land are reported and skipped), and logs out. Everything it does is printed.
 *
 *   lifegw-example --tls HOST:PORT --ca CA.pem --cert FACILITY.pem --key FACILITY-KEY.pem
 *                  --login LOGIN_ID [--password-file FILE] [--new-password-file FILE]
 *                  [--watch-seconds N]
 *
 * Without --password-file the password is read from standard input (one line; not echoed
 * when stdin is a terminal). Exit status: 0 when every step that the server offers succeeded,
 * 1 otherwise, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "life/client.h"
#include "life/v1/lrpc-stubs.h"

typedef struct gateway_options {
    char host[256];
    uint16_t port;
    const char *ca;
    const char *cert;
    const char *key;
    const char *login;
    const char *password_file;
    const char *new_password_file;
    long watch_seconds;
} gateway_options;

static void usage(void)
{
    fprintf(stderr,
        "usage: lifegw-example --tls HOST:PORT --ca CA --cert CERT --key KEY --login ID\n"
        "                      [--password-file FILE] [--new-password-file FILE] [--watch-seconds N]\n"
        "The password is read from --password-file, else from standard input; never from argv.\n");
}

/* Reads one line: from a file, or from stdin without echo on a terminal. */
static char *read_secret(const char *path, const char *prompt)
{
    FILE *file = path != NULL ? fopen(path, "r") : stdin;
    if (file == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    struct termios saved;
    int hide = path == NULL && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (hide) {
        struct termios quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf(stderr, "%s: ", prompt);
    }
    char line[512];
    char *secret = NULL;
    if (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        secret = strdup(line);
    }
    memset(line, 0, sizeof line);
    if (hide) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fprintf(stderr, "\n");
    }
    if (path != NULL) {
        fclose(file);
    }
    return secret;
}

static void forget(char *secret)
{
    if (secret != NULL) {
        volatile char *p = secret;
        while (*p != '\0') {
            *p++ = '\0';
        }
        free(secret);
    }
}

/* Prints a failed step; returns 1 when it counts as a failure (UNIMPLEMENTED does not). */
static int report(const char *step, life_code code, const life_error *error)
{
    if (code == LIFE_UNIMPLEMENTED) {
        printf("%-28s not offered by this server yet (UNIMPLEMENTED); skipped\n", step);
        return 0;
    }
    printf("%-28s FAILED %s: %s", step, life_code_name(code), error != NULL ? life_error_message(error) : "");
    if (error != NULL && life_error_reason(error)[0] != '\0') {
        printf(" [%s]", life_error_reason(error));
    }
    for (size_t i = 0; error != NULL && i < life_error_field_violation_count(error); i++) {
        const char *field;
        const char *reason;
        const char *description;
        life_error_field_violation(error, i, &field, &reason, &description);
        printf("\n%-28s   field %s: %s (%s)", "", field, reason, description);
    }
    if (error != NULL && life_error_is_retryable(error)) {
        printf(" (retryable)");
    }
    printf("\n");
    return 1;
}

/* Services still landing (Recipients, Verification): what the server answers is printed;
 * only a failure of the connection itself counts, so the example keeps working while their
 * rules settle. */
static int report_growing(const char *step, life_code code, const life_error *error)
{
    int counted = report(step, code, error);
    return counted && error != NULL && life_error_is_local(error) && code != LIFE_DEADLINE_EXCEEDED;
}

static const char *serving_name(Life__V1__ServingStatus status)
{
    switch (status) {
    case LIFE__V1__SERVING_STATUS__SERVING_STATUS_SERVING:
        return "SERVING";
    case LIFE__V1__SERVING_STATUS__SERVING_STATUS_NOT_SERVING:
        return "NOT_SERVING";
    case LIFE__V1__SERVING_STATUS__SERVING_STATUS_SERVICE_UNKNOWN:
        return "SERVICE_UNKNOWN";
    default:
        return "UNSPECIFIED";
    }
}

static int parse(int argc, char **argv, gateway_options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--password") == 0) {
            fprintf(stderr, "passwords are never taken from the command line: use --password-file or stdin\n");
            return -1;
        }
        if (i + 1 >= argc) {
            return -1;
        }
        const char *value = argv[++i];
        if (strcmp(arg, "--tls") == 0) {
            const char *colon = strrchr(value, ':');
            if (colon == NULL || (size_t)(colon - value) >= sizeof o->host) {
                return -1;
            }
            memcpy(o->host, value, (size_t)(colon - value));
            o->host[colon - value] = '\0';
            o->port = (uint16_t)strtoul(colon + 1, NULL, 10);
        } else if (strcmp(arg, "--ca") == 0) {
            o->ca = value;
        } else if (strcmp(arg, "--cert") == 0) {
            o->cert = value;
        } else if (strcmp(arg, "--key") == 0) {
            o->key = value;
        } else if (strcmp(arg, "--login") == 0) {
            o->login = value;
        } else if (strcmp(arg, "--password-file") == 0) {
            o->password_file = value;
        } else if (strcmp(arg, "--new-password-file") == 0) {
            o->new_password_file = value;
        } else if (strcmp(arg, "--watch-seconds") == 0) {
            o->watch_seconds = strtol(value, NULL, 10);
        } else {
            return -1;
        }
    }
    return o->host[0] != '\0' && o->port != 0 && o->ca != NULL && o->cert != NULL && o->key != NULL
            && o->login != NULL
        ? 0
        : -1;
}

static Life__V1__Date *date_of(Life__V1__Date *date, int year, int month, int day)
{
    life__v1__date__init(date);
    date->year = year;
    date->month = month;
    date->day = day;
    return date;
}

/* The appliance walkthrough on one recipient: register, find, update, verify eligibility,
 * remove (so the example can run again). Returns the number of failures that count. */
static int recipient_walkthrough(life_client *client, const life_call_options *call)
{
    int failures = 0;
    life_error *error = NULL;
    char insured[16];
    snprintf(insured, sizeof insured, "%010lu", (unsigned long)(time(NULL) % 10000000000UL));
    Life__V1__Date birth;
    Life__V1__Date certified;
    Life__V1__Date from;
    Life__V1__Date until;
    Life__V1__Recipient draft = LIFE__V1__RECIPIENT__INIT;
    draft.insurer_number = "131011";
    draft.insured_number = insured;
    draft.full_name = "山田 花子";
    draft.full_name_kana = "ヤマダ ハナコ";
    draft.sex = LIFE__V1__SEX__SEX_FEMALE;
    draft.birth_date = date_of(&birth, 1940, 4, 1);
    /* A certification period around today, whenever this runs. */
    time_t now = time(NULL);
    struct tm today;
    gmtime_r(&now, &today);
    int year = today.tm_year + 1900;
    draft.certification_date = date_of(&certified, year, 1, 1);
    draft.certification_valid_from = date_of(&from, year, 1, 1);
    draft.certification_valid_until = date_of(&until, year + 1, 12, 31);
    draft.care_level = LIFE__V1__CARE_LEVEL__CARE_LEVEL_CARE_2;
    draft.service_type_code = "52";
    draft.physical_independence = LIFE__V1__PHYSICAL_INDEPENDENCE__PHYSICAL_INDEPENDENCE_A1;
    draft.dementia_independence = LIFE__V1__DEMENTIA_INDEPENDENCE__DEMENTIA_INDEPENDENCE_IIA;
    Life__V1__CreateRecipientRequest create = LIFE__V1__CREATE_RECIPIENT_REQUEST__INIT;
    create.recipient = &draft;
    Life__V1__CreateRecipientResponse *created = NULL;
    life_code code = life_recipients_create_recipient(client, &create, &created, call, &error);
    if (code != LIFE_OK) {
        failures += report_growing("Recipients.CreateRecipient", code, error);
        life_error_free(error);
        return failures;
    }
    Life__V1__Recipient *stored = created->recipient;
    printf("%-28s %s %s (insured %s), version %lld\n", "Recipients.CreateRecipient", stored->id, stored->full_name,
        stored->insured_number, (long long)stored->version);

    Life__V1__ListRecipientsRequest list = LIFE__V1__LIST_RECIPIENTS_REQUEST__INIT;
    list.insured_number = insured;
    Life__V1__ListRecipientsResponse *listed = NULL;
    code = life_recipients_list_recipients(client, &list, &listed, call, &error);
    if (code == LIFE_OK) {
        printf("%-28s %zu recipient(s) with insured number %s\n", "Recipients.ListRecipients", listed->n_recipients, insured);
    } else {
        failures += report_growing("Recipients.ListRecipients", code, error);
    }
    life_message_free(listed);
    life_error_free(error);
    error = NULL;

    Life__V1__UpdateRecipientRequest update = LIFE__V1__UPDATE_RECIPIENT_REQUEST__INIT;
    stored->care_level = LIFE__V1__CARE_LEVEL__CARE_LEVEL_CARE_3;
    update.recipient = stored;
    update.expected_version = stored->version;
    Life__V1__UpdateRecipientResponse *updated = NULL;
    code = life_recipients_update_recipient(client, &update, &updated, call, &error);
    int64_t version = stored->version;
    if (code == LIFE_OK) {
        version = updated->recipient->version;
        printf("%-28s care level now 要介護3, version %lld\n", "Recipients.UpdateRecipient", (long long)version);
    } else {
        failures += report_growing("Recipients.UpdateRecipient", code, error);
    }
    life_message_free(updated);
    life_error_free(error);
    error = NULL;

    Life__V1__VerifyRecipientRequest verify = LIFE__V1__VERIFY_RECIPIENT_REQUEST__INIT;
    verify.recipient_id = stored->id;
    Life__V1__VerifyRecipientResponse *verified = NULL;
    code = life_verification_verify_recipient(client, &verify, &verified, call, &error);
    if (code == LIFE_OK) {
        printf("%-28s eligibility checked\n", "Verification.VerifyRecipient");
    } else {
        failures += report_growing("Verification.VerifyRecipient", code, error);
    }
    life_message_free(verified);
    life_error_free(error);
    error = NULL;

    Life__V1__DeleteRecipientRequest remove = LIFE__V1__DELETE_RECIPIENT_REQUEST__INIT;
    remove.id = stored->id;
    remove.expected_version = version;
    Life__V1__DeleteRecipientResponse *deleted = NULL;
    code = life_recipients_delete_recipient(client, &remove, &deleted, call, &error);
    if (code == LIFE_OK) {
        printf("%-28s %s removed again\n", "Recipients.DeleteRecipient", stored->id);
    } else {
        failures += report_growing("Recipients.DeleteRecipient", code, error);
    }
    life_message_free(deleted);
    life_error_free(error);
    life_message_free(created);
    return failures;
}

/* The library already resends, once, a call the server provably did not take; a gateway may
 * add its own retry for such (retryable) errors, e.g. while the server restarts. */
#define WITH_RETRY(code, error, call)                                                  \
    do {                                                                               \
        (code) = (call);                                                               \
        if ((code) != LIFE_OK && (error) != NULL && life_error_is_retryable(error)) {  \
            life_error_free(error);                                                    \
            (error) = NULL;                                                            \
            (code) = (call);                                                           \
        }                                                                              \
    } while (0)

int main(int argc, char **argv)
{
    gateway_options o;
    if (parse(argc, argv, &o) != 0) {
        usage();
        return 2;
    }
    char *password = read_secret(o.password_file, "password");
    if (password == NULL) {
        fprintf(stderr, "no password\n");
        return 2;
    }
    int failures = 0;
    life_error *error = NULL;
    life_code code;

    life_config *config = life_config_new();
    if (config == NULL || life_config_set_tls(config, o.host, o.port) != 0 || life_config_set_ca_file(config, o.ca) != 0
        || life_config_set_client_certificate_files(config, o.cert, o.key) != 0) {
        fprintf(stderr, "invalid connection options\n");
        life_config_free(config);
        forget(password);
        return 2;
    }
    life_client *client = NULL;
    code = life_client_new(config, &client, &error);
    life_config_free(config);
    if (code != LIFE_OK) {
        report("connect", code, error);
        life_error_free(error);
        forget(password);
        return 1;
    }
    printf("%-28s mutual TLS to %s:%u\n", "connect", o.host, o.port);

    life_call_options quick = {.timeout_ms = 5000};
    Life__V1__HealthCheckResponse *health = NULL;
    WITH_RETRY(code, error, life_health_check(client, NULL, &health, &quick, &error));
    if (code == LIFE_OK) {
        printf("%-28s %s, lifed %s, up %llu s\n", "Health.Check", serving_name(health->status),
            health->server != NULL ? health->server->version : "?",
            health->server != NULL ? (unsigned long long)(health->server->uptime_ms / 1000) : 0ULL);
    } else {
        failures += report("Health.Check", code, error);
    }
    life_message_free(health);
    life_error_free(error);
    error = NULL;

    /* Login takes a while (scrypt on the server): give it 30 s. */
    life_call_options slow = {.timeout_ms = 30000};
    Life__V1__LoginRequest login = LIFE__V1__LOGIN_REQUEST__INIT;
    login.login_id = (char *)o.login;
    login.password = password;
    Life__V1__LoginResponse *session = NULL;
    WITH_RETRY(code, error, life_auth_login(client, &login, &session, &slow, &error));
    if (code != LIFE_OK) {
        failures += report("Auth.Login", code, error);
        life_error_free(error);
        life_client_free(client);
        forget(password);
        return 1;
    }
    int must_change = session->staff_member != NULL && session->staff_member->must_change_password;
    printf("%-28s %s of %s%s (session valid until %lld)\n", "Auth.Login",
        session->staff_member != NULL ? session->staff_member->display_name : "?", session->facility_name,
        must_change ? ", password change required" : "",
        session->expires_at != NULL ? (long long)session->expires_at->seconds : 0LL);
    char *token = strdup(session->session_token);
    life_message_free(session);
    if (token == NULL) {
        forget(password);
        life_client_free(client);
        return 1;
    }
    life_call_options call = {.timeout_ms = 10000, .session_token = token};
    life_call_options slow_call = {.timeout_ms = 30000, .session_token = token};

    if (must_change) {
        char *new_password = o.new_password_file != NULL ? read_secret(o.new_password_file, "new password") : NULL;
        if (new_password == NULL) {
            printf("%-28s needed first: pass --new-password-file (other services answer FAILED_PRECONDITION until then)\n",
                "Auth.ChangePassword");
        } else {
            Life__V1__ChangePasswordRequest change = LIFE__V1__CHANGE_PASSWORD_REQUEST__INIT;
            change.old_password = password;
            change.new_password = new_password;
            Life__V1__ChangePasswordResponse *changed = NULL;
            code = life_auth_change_password(client, &change, &changed, &slow_call, &error);
            if (code == LIFE_OK) {
                printf("%-28s done; %u other session(s) revoked\n", "Auth.ChangePassword", changed->revoked_session_count);
            } else {
                failures += report("Auth.ChangePassword", code, error);
            }
            life_message_free(changed);
            life_error_free(error);
            error = NULL;
            forget(new_password);
        }
    }
    forget(password);
    password = NULL;

    Life__V1__WhoAmIResponse *who = NULL;
    WITH_RETRY(code, error, life_auth_who_am_i(client, NULL, &who, &call, &error));
    if (code == LIFE_OK) {
        printf("%-28s %s (%s), facility %s, certificate %.16s...\n", "Auth.WhoAmI",
            who->staff_member != NULL ? who->staff_member->login_id : "?",
            who->staff_member != NULL ? who->staff_member->display_name : "?", who->facility_name,
            who->certificate_fingerprint);
    } else {
        failures += report("Auth.WhoAmI", code, error);
    }
    life_message_free(who);
    life_error_free(error);
    error = NULL;

    failures += recipient_walkthrough(client, &call);

    Life__V1__ListRecipientsResponse *recipients = NULL;
    WITH_RETRY(code, error, life_recipients_list_recipients(client, NULL, &recipients, &call, &error));
    if (code == LIFE_OK) {
        printf("%-28s %zu recipient(s)\n", "Recipients.ListRecipients", recipients->n_recipients);
    } else {
        failures += report_growing("Recipients.ListRecipients", code, error);
    }
    life_message_free(recipients);
    life_error_free(error);
    error = NULL;

    Life__V1__ListVerificationResultsResponse *results = NULL;
    WITH_RETRY(code, error, life_verification_list_verification_results(client, NULL, &results, &call, &error));
    if (code == LIFE_OK) {
        printf("%-28s %zu result(s)\n", "Verification.ListResults", results->n_results);
    } else {
        failures += report_growing("Verification.ListResults", code, error);
    }
    life_message_free(results);
    life_error_free(error);
    error = NULL;

    if (o.watch_seconds > 0) {
        /* Changes to the facility's recipients, for --watch-seconds (a stream: UNIMPLEMENTED
         * arrives as its first result until the service lands). */
        life_call_options watch_session = {.timeout_ms = (uint64_t)o.watch_seconds * 1000, .session_token = token};
        life_stream *changes = NULL;
        code = life_recipients_watch_recipients(client, NULL, &changes, &watch_session, &error);
        Life__V1__WatchRecipientsResponse *change = NULL;
        size_t count = 0;
        while (code == LIFE_OK) {
            code = life_recipients_watch_recipients_next(changes, &change, &error);
            if (code != LIFE_OK || change == NULL) {
                break;
            }
            count++;
            life_message_free(change);
            change = NULL;
        }
        if (code == LIFE_DEADLINE_EXCEEDED || code == LIFE_OK) {
            printf("%-28s %zu change(s) in %ld s\n", "Recipients.WatchRecipients", count, o.watch_seconds);
        } else {
            failures += report_growing("Recipients.WatchRecipients", code, error);
        }
        life_error_free(error);
        error = NULL;
        life_stream_free(changes);
    }

    if (o.watch_seconds > 0) {
        life_call_options watch_options = {.timeout_ms = (uint64_t)o.watch_seconds * 1000};
        life_stream *stream = NULL;
        code = life_health_watch(client, NULL, &stream, &watch_options, &error);
        Life__V1__HealthWatchResponse *status = NULL;
        while (code == LIFE_OK) {
            code = life_health_watch_next(stream, &status, &error);
            if (code != LIFE_OK || status == NULL) {
                break;
            }
            printf("%-28s %s\n", "Health.Watch", serving_name(status->status));
            life_message_free(status);
            status = NULL;
        }
        if (code == LIFE_DEADLINE_EXCEEDED) {
            printf("%-28s watched for %ld s\n", "Health.Watch", o.watch_seconds);
        } else if (code != LIFE_OK) {
            failures += report("Health.Watch", code, error);
        } else {
            printf("%-28s the server ended the stream\n", "Health.Watch");
        }
        life_error_free(error);
        error = NULL;
        life_stream_free(stream);
    }

    Life__V1__LogoutResponse *logout = NULL;
    code = life_auth_logout(client, NULL, &logout, &call, &error);
    if (code == LIFE_OK) {
        printf("%-28s done\n", "Auth.Logout");
    } else {
        failures += report("Auth.Logout", code, error);
    }
    life_message_free(logout);
    life_error_free(error);
    forget(token);
    life_client_free(client);
    return failures == 0 ? 0 : 1;
}
