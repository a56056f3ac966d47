import LifePKI
import Synchronization
import X509

/// The highest CRL number this process has put in force per CA, so that a reload cannot bring
/// back an older CRL (a lower number) and with it certificates revoked since (issue 13 item 4).
///
/// It lives for the process: the daemon reloads by loading `TLSMaterial` afresh, and what was
/// in force before is known only here. A restart starts empty (it accepts whatever CRL is on disk,
/// as it must to start at all).
public final class CRLNumberLedger: Sendable {
    /// The ledger of this process, used by `TLSMaterial.load` unless a test passes its own.
    public static let process = CRLNumberLedger()

    /// A CA as a CRL names it: its name and the key that signed the CRL (test CAs, and CA
    /// rollovers, share names).
    struct Authority: Hashable {
        let name: DistinguishedName
        let key: Certificate.PublicKey
    }

    /// One CRL about to be put in force.
    struct Entry {
        let authority: Authority
        let number: Int?
        let path: String
        let issuerText: String
    }

    private let highest = Mutex<[Authority: Int]>([:])

    public init() {}

    /// Throws when an entry is older than what is in force for its CA; records nothing.
    func check(_ entries: [Entry]) throws(TLSMaterialError) {
        let known = highest.withLock { $0 }
        for entry in entries {
            guard let inForce = known[entry.authority] else { continue }
            guard let number = entry.number else {
                throw TLSMaterialError(
                    path: entry.path,
                    reason:
                        "holds a CRL of \(entry.issuerText) without a CRL number, while number \(inForce) is in force; keeping the CRL in force"
                )
            }
            if number < inForce {
                throw TLSMaterialError(
                    path: entry.path,
                    reason:
                        "holds CRL number \(number) of \(entry.issuerText), older than number \(inForce) in force; keeping the CRL in force"
                )
            }
        }
    }

    /// Records the entries as in force (after the material holding them loaded whole).
    func record(_ entries: [Entry]) {
        highest.withLock { highest in
            for entry in entries {
                guard let number = entry.number else { continue }
                highest[entry.authority] = max(number, highest[entry.authority] ?? number)
            }
        }
    }
}
