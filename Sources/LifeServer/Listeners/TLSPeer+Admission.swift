import LifeWire

extension TLSPeer {
    /// The same peer as the TLS listener admits it: with whether its CA may name the facility in
    /// the subject attribute, and the intermediates of the path its handshake validated (the listener knows the path;
    /// the frame handler that built the peer does not).
    func admitted(facilityAttributeTrusted: Bool, validatedIntermediates: [[UInt8]]) -> TLSPeer {
        TLSPeer(
            fingerprint: fingerprint, subject: subject, serialNumber: serialNumber, remoteAddress: remoteAddress,
            certificateDER: certificateDER, facilityAttributeTrusted: facilityAttributeTrusted,
            validatedIntermediates: validatedIntermediates
        )
    }
}
