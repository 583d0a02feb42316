import ArgumentParser
import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServer
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a whole summit on this machine: a server, the summit event, and its floor audio on a loop, with a link and QR code to open.")

    @OptionGroup var options: ServerOptions

    @Option(help: "The floor audio to loop (made by scripts/make-summit-audio).")
    var floor = ".build/summit-audio/summit-floor.wav"

    static let eventName = "Summit demo: state visit, Astana"

    func run() async throws {
        ResourceLimits.raiseOpenFiles()
        let audio: PCMAudio
        do {
            audio = try WAVFile.read(contentsOf: URL(fileURLWithPath: floor))
        } catch {
            throw CommandFailure("cannot read the floor audio \(floor): \(error). Make it with scripts/make-summit-audio .build/summit-audio")
        }
        let server = try options.makeServer()
        let event = try existingOrNewEvent(server)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run { ready in
                    Banner.printServing(ready, server: server)
                    let link = "\(ready.publicURL)/j/\(event.code)"
                    say("\nSummit event \(event.code): open \(link) on a phone (same Wi-Fi), or scan:\n")
                    Banner.printQRCode(for: link)
                    say("\nFloor microphone page: \(ready.publicTLSURL ?? ready.publicURL)/floor/\(event.code)#token=\(event.floorToken)")
                    say("The summit floor plays in a loop: Russian remarks, then the host switches to Kazakh.\n")
                    let address = try? ServerAddress("http://127.0.0.1:\(ready.httpPort)")
                    guard let address else { return }
                    Task {
                        let ingest = FloorIngest(server: address, event: event.code.value, token: event.floorToken, source: .audio(audio), loop: true)
                        do { _ = try await ingest.run() } catch { FileHandle.standardError.write(Data("floor ingest stopped: \(error)\n".utf8)) }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// The demo reuses its event across runs, so a printed QR code stays valid.
    private func existingOrNewEvent(_ server: VenueServer) throws -> EventDefinition {
        if let existing = try server.events.store.allEvents().first(where: { $0.name == Self.eventName }) {
            return existing
        }
        return try server.events.create(name: Self.eventName, languages: [.init("ru")!, .init("kk")!, .init("en")!], pin: nil, now: Date().timeIntervalSince1970)
    }
}
