import Foundation
import LifePKI
import LifeWire

extension TLSPeer {
    /// The notAfter of the peer's certificate; nil when it cannot be read.
    public var certificateNotAfter: Date? {
        try? CertificateFacts(derEncoded: certificateDER).certificate.notValidAfter
    }
}
