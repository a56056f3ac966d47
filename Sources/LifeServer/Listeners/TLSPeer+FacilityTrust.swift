import LifeWire

extension TLSPeer {
    /// The same peer, with whether its CA may name the facility in the subject attribute decided
    /// (the TLS listener knows the validated path; the frame handler that built the peer does not).
    func with(facilityAttributeTrusted: Bool) -> TLSPeer {
        TLSPeer(
            fingerprint: fingerprint, subject: subject, serialNumber: serialNumber, remoteAddress: remoteAddress,
            certificateDER: certificateDER, facilityAttributeTrusted: facilityAttributeTrusted
        )
    }
}
