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
            "  Meetings (set up, edit, place cards): http://127.0.0.1:\(ready.httpPort)/admin",
            // On a terminal the technician needs it now; into a service's journal it must not go.
            isatty(STDOUT_FILENO) == 1
                ? "  Organizer token: \(server.organizerToken)"
                : server.configuration.organizerToken != nil
                    ? "  Organizer token: the one given (--organizer-token or $DRAGOMAN_ORGANIZER_TOKEN); not printed into logs"
                    : "  Organizer token: in \(server.configuration.dataDirectory.appendingPathComponent("organizer-token").path) (not printed into logs)",
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
