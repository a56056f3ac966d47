import GRDB

/// The database schema as an append-only list of named migrations.
///
/// Rules: never edit, rename or reorder a registered migration once it has shipped; change the
/// schema only by appending a new one. GRDB records applied names in `grdb_migrations`, so
/// reopening a database runs only what it has not seen.
///
/// Conventions: tables are STRICT (SQLite 3.37+), so a column holds only its declared type even
/// when the file is written by another program; times are INTEGER microseconds since the epoch
/// (`StoredTime`); booleans are INTEGER 0/1 with a CHECK. The schema, not the Swift code, is what
/// enforces NOT NULL, UNIQUE and foreign keys. A CHECK cannot be altered in SQLite: adding a
/// `StaffRole` case needs a migration that rebuilds `staff`.
enum StoreSchema {
    /// Every migration, in order.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-directory") { db in
            try db.execute(sql: directory)
        }
        migrator.registerMigration("v2-staff") { db in
            try db.execute(sql: staff)
        }
        migrator.registerMigration("v3-sessions") { db in
            try db.execute(sql: sessions)
        }
        migrator.registerMigration("v4-audit") { db in
            try db.execute(sql: audit)
        }
        migrator.registerMigration("v5-recipients") { db in
            try db.execute(sql: recipients)
        }
        migrator.registerMigration("v6-change-retention") { db in
            try db.execute(sql: changeRetention)
        }
        migrator.registerMigration("v7-staff-version") { db in
            try db.execute(sql: staffVersion)
        }
        migrator.registerMigration("v8-audit-anchor") { db in
            try db.execute(sql: auditAnchor)
        }
        migrator.registerMigration("v9-verification") { db in
            try db.execute(sql: verification)
        }
        migrator.registerMigration("v10-operating-mode") { db in
            try db.execute(sql: operatingMode)
        }
        migrator.registerMigration("v11-certificate-sightings") { db in
            try db.execute(sql: certificateSightings)
        }
        migrator.registerMigration("v12-legacy-import") { db in
            try db.execute(sql: legacyImport)
        }
        migrator.registerMigration("v13-verification-order") { db in
            try db.execute(sql: verificationOrder)
        }
        return migrator
    }()

    /// Facilities and the certificates registered to them by fingerprint. A fingerprint may be
    /// registered again after its registration was revoked, so uniqueness holds only among the
    /// registrations in force (a partial unique index).
    private static let directory = """
        CREATE TABLE facility (
            number TEXT NOT NULL PRIMARY KEY CHECK (length(number) = 10),
            name TEXT NOT NULL,
            disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE certificate_registration (
            id INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL
                CHECK (length(fingerprint) = 64 AND fingerprint NOT GLOB '*[^0-9a-f]*'),
            facility_number TEXT NOT NULL REFERENCES facility(number),
            subject TEXT NOT NULL,
            not_after INTEGER,
            note TEXT NOT NULL,
            registered_at INTEGER NOT NULL,
            revoked_at INTEGER
        ) STRICT;

        CREATE UNIQUE INDEX certificate_registration_in_force
            ON certificate_registration(fingerprint) WHERE revoked_at IS NULL;
        CREATE INDEX certificate_registration_by_facility
            ON certificate_registration(facility_number);
        """

    /// Staff accounts. `UNIQUE (id, facility_number)` is redundant as a key but lets a session
    /// reference the pair, so a session's facility is always its staff member's facility.
    private static let staff = """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            facility_number TEXT NOT NULL REFERENCES facility(number),
            login_id TEXT NOT NULL CHECK (length(login_id) > 0),
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('facility_admin', 'operator')),
            password_hash TEXT NOT NULL CHECK (length(password_hash) > 0),
            must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
            disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
            failed_login_count INTEGER NOT NULL CHECK (failed_login_count >= 0),
            locked_until INTEGER,
            last_login_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (facility_number, login_id),
            UNIQUE (id, facility_number)
        ) STRICT;
        """

    /// Sessions by token hash (SHA-256 hex, never the token).
    private static let sessions = """
        CREATE TABLE session (
            token_hash TEXT NOT NULL PRIMARY KEY
                CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
            staff_id INTEGER NOT NULL,
            facility_number TEXT NOT NULL,
            certificate_fingerprint TEXT NOT NULL CHECK (length(certificate_fingerprint) = 64),
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked_at INTEGER,
            FOREIGN KEY (staff_id, facility_number) REFERENCES staff(id, facility_number) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;

        CREATE INDEX session_by_staff ON session(staff_id, facility_number);
        """

    /// The hash-chained audit log. `sequence` is the rowid, so reading in sequence order is a
    /// plain table scan. The triggers make the table append-only for every connection that does
    /// not drop them first; the chain (`AuditChain`) is what detects a change made anyway.
    private static let audit = """
        CREATE TABLE audit_event (
            sequence INTEGER NOT NULL PRIMARY KEY CHECK (sequence >= 1),
            occurred_at INTEGER NOT NULL,
            facility TEXT NOT NULL,
            login_id TEXT NOT NULL,
            certificate_fingerprint TEXT NOT NULL,
            local_peer TEXT NOT NULL,
            method TEXT NOT NULL,
            target TEXT NOT NULL,
            result TEXT NOT NULL,
            reason TEXT NOT NULL,
            previous_hash TEXT NOT NULL
                CHECK ((sequence = 1 AND previous_hash = '') OR length(previous_hash) = 64),
            hash TEXT NOT NULL CHECK (length(hash) = 64)
        ) STRICT;

        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        BEGIN
            SELECT RAISE(ABORT, 'audit_event is append-only');
        END;

        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        BEGIN
            SELECT RAISE(ABORT, 'audit_event is append-only');
        END;
        """

    /// Care recipients of each facility and the change log that feeds WatchRecipients. Dates are
    /// TEXT `YYYY-MM-DD`; codes are the official numbers. A recipient is unique in its facility
    /// by insurer and insured number. Lists page by (kana, id) within a facility, hence the index.
    private static let recipients = """
        CREATE TABLE recipient (
            id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
            facility_number TEXT NOT NULL REFERENCES facility(number),
            insurer_number TEXT NOT NULL CHECK (length(insurer_number) = 6 AND insurer_number NOT GLOB '*[^0-9]*'),
            insured_number TEXT NOT NULL CHECK (length(insured_number) = 10),
            full_name TEXT NOT NULL CHECK (full_name <> ''),
            full_name_kana TEXT NOT NULL CHECK (full_name_kana <> ''),
            sex INTEGER NOT NULL CHECK (sex IN (1, 2)),
            birth_date TEXT NOT NULL CHECK (length(birth_date) = 10),
            certification_date TEXT CHECK (certification_date IS NULL OR length(certification_date) = 10),
            certification_valid_from TEXT CHECK (certification_valid_from IS NULL OR length(certification_valid_from) = 10),
            certification_valid_until TEXT CHECK (certification_valid_until IS NULL OR length(certification_valid_until) = 10),
            care_level INTEGER NOT NULL CHECK (care_level IN (1, 6, 11, 12, 13, 21, 22, 23, 24, 25)),
            service_type_code TEXT NOT NULL CHECK (length(service_type_code) = 2),
            physical_independence INTEGER NOT NULL CHECK (physical_independence BETWEEN 1 AND 10),
            dementia_independence INTEGER NOT NULL CHECK (dementia_independence BETWEEN 1 AND 9),
            version INTEGER NOT NULL CHECK (version >= 1),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            UNIQUE (facility_number, insurer_number, insured_number)
        ) STRICT, WITHOUT ROWID;

        CREATE INDEX recipient_by_kana ON recipient(facility_number, full_name_kana, id);

        CREATE TABLE recipient_change (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            facility_number TEXT NOT NULL REFERENCES facility(number),
            recipient_id TEXT NOT NULL,
            kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),
            version INTEGER NOT NULL,
            time INTEGER NOT NULL,
            changed_by TEXT NOT NULL
        ) STRICT;

        CREATE INDEX recipient_change_by_facility ON recipient_change(facility_number, sequence);
        """

    /// How far the change log has been pruned: a watcher resuming from an older sequence number
    /// may have missed changes (OUT_OF_RANGE). One row. And the change log's numbering starts at
    /// 2: sequence 1 stands for "before the first change", so a list taken before any change
    /// still names a position a watch can resume from (0 means "from now on").
    private static let changeRetention = """
        CREATE TABLE recipient_change_retention (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pruned_through INTEGER NOT NULL CHECK (pruned_through >= 0)
        ) STRICT;
        INSERT INTO recipient_change_retention (id, pruned_through) VALUES (1, 0);
        INSERT INTO sqlite_sequence (name, seq)
            SELECT 'recipient_change', 1
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'recipient_change');
        """

    /// Staff accounts get a version, raised by every change an admin or the member makes to the
    /// account (profile, disabled, password), so an edit made from a stale read is refused.
    private static let staffVersion = """
        ALTER TABLE staff ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
        """

    /// The audit chain's head sealed with a key kept outside the database (`AuditAnchorKey`),
    /// rewritten with every appended record: deleting the newest records, or appending records
    /// without the key, no longer goes unnoticed. One row.
    private static let auditAnchor = """
        CREATE TABLE audit_anchor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            hash TEXT NOT NULL CHECK (length(hash) = 64),
            seal TEXT NOT NULL CHECK (length(seal) = 64)
        ) STRICT;
        """

    /// Eligibility verification. Each recipient carries its latest result (status 0: never
    /// checked; mismatched fields as a bit set, bit n for field n). The registry: participating
    /// insurers, and qualification records in generations — `registry_insurer` names the
    /// generation in force for each insurer, an import writes a new one beside it (listed in
    /// `registry_staging` until it ends) and `registry_garbage` lists what is no longer in force
    /// (insurer '' = the whole generation), deleted a chunk at a time. Dates are TEXT
    /// `YYYY-MM-DD`; an open validity end is ''. Bulk re-check jobs keep their counts and their
    /// position, written with each batch of results.
    private static let verification = """
        ALTER TABLE recipient ADD COLUMN verification_status INTEGER NOT NULL DEFAULT 0
            CHECK (verification_status BETWEEN 0 AND 4);
        ALTER TABLE recipient ADD COLUMN verification_fields INTEGER NOT NULL DEFAULT 0
            CHECK (verification_fields BETWEEN 0 AND 31);
        ALTER TABLE recipient ADD COLUMN verified_at INTEGER;
        ALTER TABLE recipient ADD COLUMN verified_on TEXT CHECK (verified_on IS NULL OR length(verified_on) = 10);
        ALTER TABLE recipient ADD COLUMN verified_version INTEGER NOT NULL DEFAULT 0 CHECK (verified_version >= 0);
        ALTER TABLE recipient ADD COLUMN verified_revision INTEGER NOT NULL DEFAULT 0 CHECK (verified_revision >= 0);

        CREATE INDEX recipient_by_verification ON recipient(facility_number, verification_status);
        CREATE INDEX recipient_by_insured ON recipient(insurer_number, insured_number, facility_number);

        CREATE TABLE participating_insurer (
            insurer_number TEXT NOT NULL PRIMARY KEY
                CHECK (length(insurer_number) = 6 AND insurer_number NOT GLOB '*[^0-9]*'),
            name TEXT NOT NULL,
            joined_on TEXT NOT NULL CHECK (length(joined_on) = 10),
            left_on TEXT CHECK (left_on IS NULL OR (length(left_on) = 10 AND left_on >= joined_on)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE registry_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            revision INTEGER NOT NULL CHECK (revision >= 0),
            last_generation INTEGER NOT NULL CHECK (last_generation >= 0),
            last_import_at INTEGER
        ) STRICT;
        INSERT INTO registry_state (id, revision, last_generation, last_import_at) VALUES (1, 0, 0, NULL);

        CREATE TABLE registry_insurer (
            insurer_number TEXT NOT NULL PRIMARY KEY CHECK (length(insurer_number) = 6),
            generation INTEGER NOT NULL CHECK (generation >= 1),
            digest TEXT NOT NULL,
            record_count INTEGER NOT NULL CHECK (record_count >= 0),
            imported_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE qualification_record (
            generation INTEGER NOT NULL CHECK (generation >= 1),
            insurer_number TEXT NOT NULL CHECK (length(insurer_number) = 6),
            insured_number TEXT NOT NULL CHECK (length(insured_number) = 10),
            valid_from TEXT NOT NULL CHECK (valid_from = '' OR length(valid_from) = 10),
            valid_until TEXT NOT NULL CHECK (valid_until = '' OR length(valid_until) = 10),
            birth_date TEXT NOT NULL CHECK (length(birth_date) = 10),
            sex INTEGER NOT NULL CHECK (sex IN (1, 2)),
            line INTEGER NOT NULL CHECK (line >= 1),
            PRIMARY KEY (generation, insurer_number, insured_number, valid_from)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE registry_staging (
            generation INTEGER NOT NULL PRIMARY KEY,
            started_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE registry_garbage (
            generation INTEGER NOT NULL,
            insurer_number TEXT NOT NULL,
            PRIMARY KEY (generation, insurer_number)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE verification_job (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 64),
            trigger INTEGER NOT NULL CHECK (trigger BETWEEN 1 AND 4),
            facility_number TEXT NOT NULL,
            insurer_numbers TEXT NOT NULL,
            statuses TEXT NOT NULL,
            state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),
            total_count INTEGER NOT NULL CHECK (total_count >= 0),
            processed_count INTEGER NOT NULL CHECK (processed_count >= 0),
            matched_count INTEGER NOT NULL CHECK (matched_count >= 0),
            mismatched_count INTEGER NOT NULL CHECK (mismatched_count >= 0),
            not_found_count INTEGER NOT NULL CHECK (not_found_count >= 0),
            not_checked_count INTEGER NOT NULL CHECK (not_checked_count >= 0),
            cursor_insurer TEXT,
            cursor_insured TEXT,
            cursor_facility TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            error_message TEXT NOT NULL
        ) STRICT;

        CREATE INDEX verification_job_active ON verification_job(state) WHERE state IN (1, 2);
        CREATE INDEX verification_job_by_facility ON verification_job(facility_number, seq);
        """

    /// The operating mode the operator set (`OperatingMode` raw values), with the reason. One
    /// row, absent until the first change (normal).
    private static let operatingMode = """
        CREATE TABLE operating_mode (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            mode INTEGER NOT NULL CHECK (mode BETWEEN 1 AND 3),
            reason TEXT NOT NULL,
            changed_at INTEGER NOT NULL
        ) STRICT;
        """

    /// Certificates that reached the server on a call, with the facility they prove (by the same
    /// rule as a login), for `lifectl cert readiness`. Written at most once an hour per
    /// certificate, and at each login.
    private static let certificateSightings = """
        CREATE TABLE certificate_sighting (
            fingerprint TEXT NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 64),
            facility_number TEXT NOT NULL REFERENCES facility(number),
            not_after INTEGER,
            first_seen_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            last_login_at INTEGER
        ) STRICT, WITHOUT ROWID;

        CREATE INDEX certificate_sighting_by_facility ON certificate_sighting(facility_number);
        """

    /// What an import from the old system brings: facilities' service types, the old-system id
    /// of imported recipients, records today's rules refuse (kept as imported, with their
    /// violations as JSON, until an update with valid fields moves them to `recipient` under
    /// the same id), and what the last import wrote for each old-system record.
    private static let legacyImport = """
        ALTER TABLE facility ADD COLUMN service_type_codes TEXT NOT NULL DEFAULT '';
        ALTER TABLE recipient ADD COLUMN legacy_id TEXT CHECK (legacy_id IS NULL OR length(legacy_id) BETWEEN 1 AND 64);

        CREATE TABLE flagged_recipient (
            id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
            facility_number TEXT NOT NULL REFERENCES facility(number),
            legacy_id TEXT NOT NULL CHECK (length(legacy_id) BETWEEN 1 AND 64),
            insurer_number TEXT NOT NULL,
            insured_number TEXT NOT NULL,
            full_name TEXT NOT NULL,
            full_name_kana TEXT NOT NULL,
            sex INTEGER NOT NULL,
            birth_date TEXT NOT NULL,
            certification_date TEXT NOT NULL,
            certification_valid_from TEXT NOT NULL,
            certification_valid_until TEXT NOT NULL,
            care_level INTEGER NOT NULL,
            service_type_code TEXT NOT NULL,
            physical_independence INTEGER NOT NULL,
            dementia_independence INTEGER NOT NULL,
            violations TEXT NOT NULL CHECK (json_valid(violations) AND json_array_length(violations) >= 1),
            version INTEGER NOT NULL CHECK (version >= 1),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE INDEX flagged_recipient_by_kana ON flagged_recipient(facility_number, full_name_kana, id);

        CREATE TABLE legacy_import (
            facility_number TEXT NOT NULL REFERENCES facility(number),
            legacy_id TEXT NOT NULL CHECK (length(legacy_id) BETWEEN 1 AND 64),
            recipient_id TEXT NOT NULL,
            row_digest TEXT NOT NULL CHECK (length(row_digest) = 64),
            imported_version INTEGER NOT NULL CHECK (imported_version >= 1),
            PRIMARY KEY (facility_number, legacy_id)
        ) STRICT, WITHOUT ROWID;
        """

    /// Bulk re-checks visit recipients by insurer, then id: the table's own order within an
    /// insurer, so a batch rewrites few pages. The job's cursor becomes (insurer, recipient id).
    /// A job that was running starts again from its first recipient with its counts at zero: its
    /// old cursor means nothing in the new order, and restarting counts nobody twice.
    ///
    /// The index on (facility, verification status) goes: every result that changed moved its
    /// entry, two random pages per recipient, which made most of a re-check's writes. A list
    /// filtered by status reads its facility's recipients in the kana index and filters them.
    private static let verificationOrder = """
        CREATE INDEX recipient_by_insurer ON recipient(insurer_number, id);
        DROP INDEX recipient_by_insured;
        DROP INDEX recipient_by_verification;
        ALTER TABLE verification_job RENAME COLUMN cursor_insured TO cursor_recipient;
        ALTER TABLE verification_job DROP COLUMN cursor_facility;
        UPDATE verification_job SET state = 1, total_count = 0, processed_count = 0, matched_count = 0, mismatched_count = 0,
            not_found_count = 0, not_checked_count = 0, cursor_insurer = NULL, cursor_recipient = NULL, started_at = NULL
        WHERE state = 2;
        """
}
