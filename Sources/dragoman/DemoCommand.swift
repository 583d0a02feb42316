import ArgumentParser
import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServer
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run a whole summit on this machine: a server, the summit event, its floor on a loop and a Russian booth, with a link and QR code to open.",
        discussion: """
            The floor plays the summit: Russian remarks, then the host switches to Kazakh, then an English remark.
            A scripted operator sets the floor language at each switch, and a scripted interpreter in the Russian
            booth speaks the Russian interpretation whenever the floor is not in Russian: a phone on the Russian
            channel hears the floor, then the booth, and is alerted at the switch.
            """
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "The floor audio to loop (made by scripts/make-summit-audio).")
    var floor = ".build/summit-audio/summit-floor.wav"
    @Option(help: "The floor's timeline (JSON): the floor language is set at each change of language.")
    var timeline = ".build/summit-audio/summit-floor.json"
    @Option(name: .customLong("booth"), help: "A scripted booth as LANG=WAV, spoken whenever the floor is in another language (repeatable).")
    var booths: [String] = ["ru=.build/summit-audio/summit-booth-ru.wav"]

    static let eventName = "Summit demo: state visit, Astana"

    func run() async throws {
        ResourceLimits.raiseOpenFiles()
        let audio: PCMAudio
        do {
            audio = try WAVFile.read(contentsOf: URL(fileURLWithPath: floor))
        } catch {
            throw CommandFailure("cannot read the floor audio \(floor): \(error). Make it with scripts/make-summit-audio .build/summit-audio")
        }
        let changes: FloorTimeline
        do {
            changes = try FloorTimeline(json: try Data(contentsOf: URL(fileURLWithPath: timeline)))
        } catch {
            throw CommandFailure("cannot read the floor timeline \(timeline): \(error). Make it with scripts/make-summit-audio .build/summit-audio")
        }
        var speeches: [(LanguageTag, PCMAudio)] = []
        for booth in booths {
            let parts = booth.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let tag = LanguageTag(parts[0]) else {
                throw ValidationError("--booth takes LANG=WAV, e.g. ru=summit-booth-ru.wav; got '\(booth)'")
            }
            do {
                speeches.append((tag, try WAVFile.read(contentsOf: URL(fileURLWithPath: parts[1]))))
            } catch {
                throw CommandFailure(
                    "cannot read the \(tag) booth's audio \(parts[1]): \(error). Make it with scripts/make-summit-audio .build/summit-audio"
                )
            }
        }
        let server = try options.makeServer()
        let event = try existingOrNewEvent(server)
        guard let live = try server.events.event(event.code) else { throw CommandFailure("the demo event disappeared from the store") }
        var scripted: [NewInterpreter] = []
        for (language, _) in speeches {
            guard event.languages.contains(language) else { throw ValidationError("--booth \(language): the demo event has no \(language) channel") }
            let name = "Scripted interpreter (\(language))"
            scripted.append(try Self.interpreter(named: name, booth: language, of: live, server: server))
        }
        // A second interpreter per booth for a person to try the console beside the scripted one: opening the
        // scripted interpreter's own key would replace its connection.
        var guests: [NewInterpreter] = []
        for (language, _) in speeches {
            let name = "Guest interpreter (\(language))"
            guests.append(try Self.interpreter(named: name, booth: language, of: live, server: server))
        }
        let (interpreters, booths, partners) = (scripted, speeches, guests)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run { ready in
                    Banner.printServing(ready, server: server)
                    let link = "\(ready.publicURL)/j/\(event.code)"
                    say("\nSummit event \(event.code): open \(link) on a phone (same Wi-Fi), or scan:\n")
                    Banner.printQRCode(for: link)
                    let secure = ready.publicTLSURL ?? ready.publicURL
                    say("\nOrganizer dashboard: \(ready.publicURL)/dashboard/\(event.code)#token=\(server.organizerToken)")
                    say(
                        "Speaker screen (slow-down requests from the booths): \(ready.publicURL)/speaker/\(event.code)#token=\(server.organizerToken)"
                    )
                    say("Floor microphone page: \(secure)/floor/\(event.code)#token=\(event.floorToken)")
                    for guest in partners {
                        say("\(guest.booth) booth console, as the scripted interpreter's partner: \(secure)/booth/\(event.code)?key=\(guest.key)")
                    }
                    say("The summit floor plays in a loop: Russian remarks, then the host switches to Kazakh, then English;")
                    say("the \(booths.map(\.0.value).joined(separator: ", ")) booth speaks whenever the floor is in another language.\n")
                    guard let address = try? ServerAddress("http://127.0.0.1:\(ready.httpPort)") else { return }
                    Task { await Self.playFloor(audio, changes: changes, event: event, live: live, server: server, address: address) }
                    for (interpreter, (_, speech)) in zip(interpreters, booths) {
                        Task { await Self.interpret(speech, as: interpreter, event: event, address: address) }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// The floor on a loop, with the scripted operator setting the floor language at each change.
    private static func playFloor(
        _ audio: PCMAudio,
        changes: FloorTimeline,
        event: NewEvent,
        live: LiveEvent,
        server: VenueServer,
        address: ServerAddress
    ) async {
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        var ingest = FloorIngest(server: address, event: event.code.value, token: event.floorToken, source: .audio(audio), loop: true)
        ingest.onAudioStart = { start.yield() }
        let operatorTask = Task {
            for await _ in started { break }
            try await changes.play(period: audio.duration) { language in
                try server.events.setFloorLanguage(LanguageTag(language), of: live, at: UInt64(Date().timeIntervalSince1970 * 1_000_000))
            }
        }
        defer { operatorTask.cancel() }
        do { _ = try await ingest.run() } catch { FileHandle.standardError.write(Data("floor ingest stopped: \(error)\n".utf8)) }
    }

    /// A scripted interpreter that speaks its recording at every non-Russian stretch of the floor, round after round.
    private static func interpret(_ speech: PCMAudio, as interpreter: NewInterpreter, event: NewEvent, address: ServerAddress) async {
        while !Task.isCancelled {
            let scripted = ScriptedInterpreter(
                server: address,
                event: event.code.value,
                key: interpreter.key,
                booth: interpreter.booth.value,
                speech: speech
            )
            do {
                _ = try await scripted.run()
            } catch {
                FileHandle.standardError.write(Data("the \(interpreter.booth) booth stopped: \(error); it rejoins in 2 s\n".utf8))
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    /// The demo reuses its event across runs, so a printed QR code stays valid. The server keeps only a
    /// hash of the floor token, so a reused event gets a new one.
    private func existingOrNewEvent(_ server: VenueServer) throws -> NewEvent {
        if let existing = try server.events.allEvents().first(where: { $0.name == Self.eventName }),
            let live = try server.events.event(existing.code)
        {
            return NewEvent(definition: live.definition, floorToken: try server.events.newFloorToken(of: live))
        }
        return try server.events.create(
            name: Self.eventName,
            languages: [.init("ru")!, .init("kk")!, .init("en")!],
            pin: nil,
            now: Date().timeIntervalSince1970
        )
    }

    /// The demo's interpreter of this name and booth, made on the first run; a later run gives them a new
    /// key (the server keeps only its hash).
    private static func interpreter(named name: String, booth: LanguageTag, of live: LiveEvent, server: VenueServer) throws -> NewInterpreter {
        if let existing = live.interpreters.first(where: { $0.booth == booth && $0.name == name }),
            let renewed = try server.events.newKey(for: existing.id, of: live)
        {
            return renewed
        }
        return try server.events.createInterpreter(name: name, booth: booth, in: live, now: Date().timeIntervalSince1970)
    }
}
