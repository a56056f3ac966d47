/// 性別, with the common codes 1 and 2.
public enum Sex: Int, Sendable, Hashable, CaseIterable {
    case male = 1
    case female = 2
}

/// 要介護状態区分, with the official two-digit codes.
public enum CareLevel: Int, Sendable, Hashable, CaseIterable {
    case notApplicable = 1
    case programEligible = 6
    case transitional = 11
    case support1 = 12
    case support2 = 13
    case care1 = 21
    case care2 = 22
    case care3 = 23
    case care4 = 24
    case care5 = 25
}

/// 障害高齢者の日常生活自立度, interface codes 1…9 and 10 for "not recorded".
public enum PhysicalIndependence: Int, Sendable, Hashable, CaseIterable {
    case independent = 1, j1, j2, a1, a2, b1, b2, c1, c2, notRecorded
}

/// 認知症高齢者の日常生活自立度, interface codes 1…8 and 9 for "not recorded".
public enum DementiaIndependence: Int, Sendable, Hashable, CaseIterable {
    case independent = 1, i, iia, iib, iiia, iiib, iv, m, notRecorded
}
