import ArgumentParser
import DragomanAudio
import DragomanClient
import DragomanCore
import Foundation

struct InterpretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Join a booth as a scripted interpreter and speak a recording whenever the floor is in another language.",
        discussion: """
            The interpreter turns its microphone on while the floor language is set and is not the booth's, and the
            recording advances only then; when the floor speaks the booth's language it turns the microphone off.
            It ends once the whole recording was spoken. For tests and demos: a real interpreter uses the console
            at /booth/{code}?key=….

            Example:
              dragoman interpret --event K7QM2X --key R4KM7TQX --booth ru summit-booth-ru.wav
            """
    )

    @Option(help: "Server address.")
    var server = "http://127.0.0.1:8080"
    @Option(help: "Join code of the event.")
    var event: String
    @Option(help: "The interpreter key the organizer made.")
    var key: String
    @Option(help: "The booth's language; the server refuses a key of another booth.")
    var booth: String?
    @Option(help: "Take relay from this booth instead of hearing the floor.")
    var relay: String?
    @Argument(help: "The recording to speak (WAV).")
    var recording: String
    @Option(help: "Stop after this many seconds.")
    var duration: Double?
    @Option(help: "Write one JSON line per microphone change to this file.")
    var log: String?
    @Option(help: "Write what was spoken and heard (packets, loss, delay of the booth's incoming audio) as JSON.")
    var statsJSON: String?

    func run() async throws {
        let speech: PCMAudio
        do {
            speech = try WAVFile.read(contentsOf: URL(fileURLWithPath: recording))
        } catch {
            throw CommandFailure("cannot read \(recording): \(error)")
        }
        var logger: (@Sendable (String) -> Void)?
        if let log {
            let handle: FileHandle
            do { handle = try OutputFile.open(atPath: log) } catch {
                throw CommandFailure("\(error)")
            }
            logger = { line in handle.write(Data((line + "\n").utf8)) }
        }
        let interpreter = ScriptedInterpreter(
            server: try ServerAddress(server),
            event: event,
            key: key,
            booth: booth,
            speech: speech,
            relay: relay,
            duration: duration,
            log: logger
        )
        let report: ScriptedInterpreter.Report
        do {
            report = try await interpreter.run()
        } catch {
            throw CommandFailure("\(error)")
        }
        let d = report.heardDelayMs
        FileHandle.standardError.write(
            Data(
                String(
                    format: "spoke %.1f s of %.1f s on air (mic on %d times); heard %d packets, lost %d, delay ms p50 %.1f p99 %.1f\n",
                    report.spokenSeconds,
                    speech.duration,
                    report.micOnCount,
                    report.heardPackets,
                    report.heardLost,
                    d.p50,
                    d.p99
                ).utf8
            )
        )
        if let statsJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: statsJSON))
        }
    }
}
