import ArgumentParser
import DragomanAudio
import DragomanClient
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send the floor of an event from a WAV file or from raw PCM on standard input, at real-time pace.",
        discussion: """
            Examples:
              dragoman ingest --event K7QM2X --token <floor token> speech.wav
              arecord -f S16_LE -r 48000 -c 1 -t raw | dragoman ingest --event K7QM2X --token <floor token> -
              ffmpeg -i rtsp://mixer/line -f s16le -ar 48000 -ac 1 - | dragoman ingest --event K7QM2X --token <floor token> -
            """
    )

    @Option(help: "Server address.")
    var server = "http://127.0.0.1:8080"
    @Option(help: "Join code of the event.")
    var event: String
    @Option(help: "The event's floor token.")
    var token: String
    @Argument(help: "A WAV file, or - for raw PCM on standard input.")
    var input: String
    @Option(help: "Sample rate of raw PCM on standard input.")
    var rate = 48000
    @Option(help: "Channels of raw PCM on standard input (1 or 2).")
    var channels = 1
    @Option(help: "Sample format of raw PCM on standard input: s16le or f32le.")
    var format = "s16le"
    @Flag(help: "Repeat the file until stopped.")
    var loop = false
    @Option(
        help: "A timeline of the file (JSON, as scripts/make-summit-audio writes it): set the floor language at each change, as an operator would."
    )
    var timeline: String?

    func run() async throws {
        let source: FloorIngest.Source
        if input == "-" {
            guard let sampleFormat = PCMSampleFormat(rawValue: format) else { throw ValidationError("--format must be s16le or f32le") }
            source = .standardInput(sampleRate: rate, channels: channels, format: sampleFormat)
        } else {
            do {
                source = .audio(try WAVFile.read(contentsOf: URL(fileURLWithPath: input)))
            } catch {
                throw CommandFailure("cannot read \(input): \(error)")
            }
        }
        let address = try ServerAddress(server)
        var ingest = FloorIngest(server: address, event: event, token: token, source: source, loop: loop)
        var operatorTask: Task<Void, Never>?
        if let timeline {
            let changes: FloorTimeline
            do {
                changes = try FloorTimeline(json: try Data(contentsOf: URL(fileURLWithPath: timeline)))
            } catch {
                throw CommandFailure("cannot read the timeline \(timeline): \(error)")
            }
            guard case .audio(let audio) = source else { throw ValidationError("--timeline needs a WAV file, not standard input") }
            let admin = EventAdmin(server: address, token: token)
            let (event, loop) = (self.event, self.loop)
            let started = AsyncStream.makeStream(of: Void.self)
            ingest.onAudioStart = { started.continuation.yield() }
            operatorTask = Task {
                for await _ in started.stream { break }
                do {
                    try await changes.play(period: loop ? audio.duration : nil) { language in
                        try await admin.setFloorLanguage(language, event: event)
                    }
                } catch is CancellationError {
                } catch {
                    FileHandle.standardError.write(Data("floor language not set: \(error)\n".utf8))
                }
            }
        }
        defer { operatorTask?.cancel() }
        do {
            let report = try await ingest.run()
            FileHandle.standardError.write(
                Data("sent \(String(format: "%.1f", report.seconds)) s of floor audio in \(report.messages) messages\n".utf8)
            )
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// A failure the user can act on: printed as one line, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
