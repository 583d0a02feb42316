import DragomanServer
import Foundation

/// What the server prints for the technician when it is ready.
enum Banner {
    static func printServing(_ ready: VenueServer.Ready, server: VenueServer) {
        var lines = [
            "Dragoman is serving.",
            "  Listener app:    \(ready.publicURL)/",
        ]
        if let tls = ready.publicTLSURL {
            lines.append("  Secure (HTTPS):  \(tls)/   (low-delay audio on phones; see README: trusting the certificate)")
        }
        lines += [
            "  On this machine: http://127.0.0.1:\(ready.httpPort)/",
            "  Organizer token: \(server.organizerToken)",
            "  Data folder:     \(server.configuration.dataDirectory.path)",
            "Stop with Ctrl-C.",
        ]
        say(lines.joined(separator: "\n"))
    }

    static func printQRCode(for link: String) {
        if let code = try? QRCode(text: link) {
            say(code.terminalText())
        }
    }
}

/// Prints a line at once (unbuffered), so a technician or a script watching the output sees it now.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
