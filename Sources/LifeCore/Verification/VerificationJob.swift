import Foundation

/// A bulk re-check of already-registered recipients (一括再確認ジョブ). Its progress and its
/// position are stored with the results of each batch, so a job resumes after a restart where
/// it stopped and never counts a recipient twice.
public struct VerificationJob: Sendable, Hashable {
    public enum State: Int, Sendable, Hashable {
        case queued = 1
        case running = 2
        case succeeded = 3
        case failed = 4
    }

    /// What started it; the wire's numbering.
    public enum Trigger: Int, Sendable, Hashable {
        case requested = 1
        case insurerJoined = 2
        case registryImported = 3
        case insurerLeft = 4
    }

    public var id: String
    public var trigger: Trigger
    public var scope: VerificationScope
    public var state: State
    public var totalCount: Int64
    public var counts: VerificationCounts
    /// The last recipient checked, in the scope's order; nil before the first.
    public var cursor: VerificationCursor?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Safe to show; empty unless failed.
    public var errorMessage: String

    public init(
        id: String, trigger: Trigger, scope: VerificationScope, state: State = .queued, totalCount: Int64 = 0,
        counts: VerificationCounts = VerificationCounts(), cursor: VerificationCursor? = nil, createdAt: Date, startedAt: Date? = nil,
        finishedAt: Date? = nil, errorMessage: String = ""
    ) {
        self.id = id
        self.trigger = trigger
        self.scope = scope
        self.state = state
        self.totalCount = totalCount
        self.counts = counts
        self.cursor = cursor
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorMessage = errorMessage
    }

    public var isActive: Bool { state == .queued || state == .running }
}

/// Which recipients a job re-checks; every part narrows, nil or empty selects everything.
public struct VerificationScope: Sendable, Hashable {
    public var facility: FacilityNumber?
    /// Sorted.
    public var insurers: [InsurerNumber]
    /// Only recipients whose stored result has one of these statuses.
    public var statuses: Set<VerificationStatus>

    public init(facility: FacilityNumber? = nil, insurers: [InsurerNumber] = [], statuses: Set<VerificationStatus> = []) {
        self.facility = facility
        self.insurers = Array(Set(insurers)).sorted()
        self.statuses = statuses
    }
}

/// Results of a job so far, by status.
public struct VerificationCounts: Sendable, Hashable {
    public var processed: Int64 = 0
    public var matched: Int64 = 0
    public var mismatched: Int64 = 0
    public var notFound: Int64 = 0
    public var notChecked: Int64 = 0

    public init() {}

    public mutating func add(_ status: VerificationStatus) {
        processed += 1
        switch status {
        case .matched: matched += 1
        case .mismatched: mismatched += 1
        case .notFound: notFound += 1
        case .notChecked: notChecked += 1
        case .unverified: break
        }
    }

    /// For the audit record of a finished job.
    public var summary: String {
        "processed=\(processed) matched=\(matched) mismatched=\(mismatched) not_found=\(notFound) not_checked=\(notChecked)"
    }
}

/// A job's position: recipients are visited ordered by insurer number, then recipient id. Within
/// one insurer that is the recipients' order on disk (the id is the table's key), so a batch's
/// rewritten results share pages instead of touching one page each.
public struct VerificationCursor: Sendable, Hashable {
    public var insurerNumber: String
    public var recipientID: String

    public init(insurerNumber: String, recipientID: String) {
        self.insurerNumber = insurerNumber
        self.recipientID = recipientID
    }
}
