import NIOSSL

/// TLS for clients on the venue network: the server's certificate is usually self-signed,
/// so the command-line clients do not verify it (they are run by the technician, on the same machine or LAN).
enum ClientTLS {
    static func configuration(for server: ServerAddress) -> TLSConfiguration? {
        guard server.isTLS else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
