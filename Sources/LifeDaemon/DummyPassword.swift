import Foundation

/// The password of the dummy hash that logins check when no account exists, so that such a
/// login takes as long as a real one. Random per process; never a valid password of anyone.
enum DummyPassword {
    static let password = UUID().uuidString + UUID().uuidString
}
