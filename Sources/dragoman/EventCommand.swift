import ArgumentParser
import DragomanClient
import Foundation

struct EventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Manage events on a running server.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an event; prints its join link, code and floor token.")

        @Option(help: "Server address, e.g. http://127.0.0.1:8080.")
        var server = "http://127.0.0.1:8080"
        @Option(help: "Organizer token (printed by dragoman serve; also $DRAGOMAN_ORGANIZER_TOKEN).")
        var token: String?
        @Option(help: "Event name, e.g. \"State visit, Astana\".")
        var name: String
        @Option(help: "Languages of the channels, comma-separated BCP 47 tags, e.g. ru,kk,en.")
        var languages: String
        @Option(
            help:
                "Languages whose channels get a machine booth (machine interpretation while no interpreter is live), comma-separated, e.g. ru,en."
        )
        var machine: String?
        @Option(help: "Listener PIN (4–12 digits), optional.")
        var pin: String?
        @Option(
            help: """
                Milliseconds of audio per message to each listener: 20 (the lowest delay), or 40 or 60 for very large \
                rooms (half or a third of the server's sends and of the Wi-Fi's frames, for 20 or 40 ms more delay).
                """
        )
        var packetMs: Int?
        @Flag(help: "Print the server's JSON answer.")
        var json = false

        func run() async throws {
            guard let token = token ?? ProcessInfo.processInfo.environment["DRAGOMAN_ORGANIZER_TOKEN"] else {
                throw ValidationError("--token is missing: give the organizer token that dragoman serve printed")
            }
            let admin = EventAdmin(server: try ServerAddress(server), token: token)
            let data = try await admin.create(
                name: name,
                languages: languages.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                machine: (machine ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                pin: pin,
                packetMs: packetMs
            )
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                print("Event \(object["code"] ?? "?"): \(object["name"] ?? "")")
                print("  Join link:   \(object["joinURL"] ?? "")")
                print("  Floor token: \(object["floorToken"] ?? "") (shown this once: the server keeps only its hash)")
            }
        }
    }
}
