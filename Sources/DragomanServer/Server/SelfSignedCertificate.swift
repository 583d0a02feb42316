import Foundation

/// Makes the HTTPS certificate a venue needs when nobody brought one: self-signed, for the
/// machine's addresses, with `openssl`, kept in the data folder so phones that trusted it once
/// keep trusting it.
enum SelfSignedCertificate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Returns the paths of the certificate and key, making them if they are not there yet.
    static func ensure(in directory: URL, hosts: [String]) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("tls-certificate.pem").path
        let key = directory.appendingPathComponent("tls-key.pem").path
        if FileManager.default.fileExists(atPath: certificate), FileManager.default.fileExists(atPath: key) {
            return (certificate, key)
        }
        let names = (["localhost"] + hosts).filter { !$0.isEmpty }
        let subjectAltNames =
            (names.map { name in
                name.allSatisfy({ $0.isNumber || $0 == "." }) ? "IP:\(name)" : "DNS:\(name)"
            } + ["IP:127.0.0.1"]).joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "825", "-subj", "/CN=Dragoman/O=Dragoman interpretation", "-addext", "subjectAltName=\(subjectAltNames)",
            "-keyout", key, "-out", certificate,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(
                description: "could not run openssl to make an HTTPS certificate (\(error)); install openssl or pass --tls-cert and --tls-key"
            )
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "openssl could not make an HTTPS certificate: \(message)")
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (certificate, key)
    }
}
