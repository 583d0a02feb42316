import ArgumentParser
import DragomanAudio
import DragomanClient
import DragomanCore
import Foundation

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Listen to a channel: write what it carries to a WAV file or stdout, then print packets, loss and delay.",
        discussion: """
            Ctrl-C (or SIGTERM) stops listening and still writes the WAV file and the statistics; a second one stops at once.
            With --count N, opens N listeners at once; in --output, --stats-json and --control-log, {n} stands for 1…N.
              dragoman listen --event K7QM2X --channel ru --count 50 --output 'l{n}.wav' --control-log 'l{n}.jsonl'
            """
    )

    @OptionGroup var listening: ChannelOptions
    @Option(help: "WAV file to write (48 kHz mono 16-bit), or - for stdout.")
    var output: String?
    @Option(help: "Stop after this many seconds.")
    var duration: Double?
    @Option(help: "Stop when nothing arrived for this many seconds after the first packet.")
    var idleTimeout: Double?
    @Option(help: "Write the statistics as JSON to this file.")
    var statsJSON: String?
    @Option(help: "Write every control message, with the time it arrived, as JSON lines to this file.")
    var controlLog: String?
    @Option(help: "How many listeners to open.")
    var count = 1
    @Flag(help: "Print the channel's captions on stdout as each line becomes final: time, language, text.")
    var captions = false

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000") }
        if count > 1 {
            for (name, value) in [("--output", output), ("--stats-json", statsJSON), ("--control-log", controlLog)] {
                if let value, !value.contains("{n}") { throw ValidationError("with --count, \(name) needs {n} in its path, one file per listener") }
            }
            if output == "-" { throw ValidationError("with --count, --output cannot be stdout") }
            if captions { throw ValidationError("--captions prints one listener's captions: leave out --count") }
        }
        if captions, output == "-" { throw ValidationError("--captions prints on stdout: write the audio to a file with --output") }
    }

    func run() async throws {
        let server = try ServerAddress(listening.server)
        let stop = StopRequest.onInterrupt()
        let reports = try await withThrowingTaskGroup(of: (Int, Result<ChannelListener.Report, CommandFailure>).self) { group in
            for n in 1...count {
                group.addTask { (n, await listenOnce(n, server: server, stop: stop)) }
            }
            var reports: [(Int, Result<ChannelListener.Report, CommandFailure>)] = []
            for try await result in group { reports.append(result) }
            return reports.sorted { $0.0 < $1.0 }
        }
        var failures: [String] = []
        for (n, result) in reports {
            switch result {
            case .success(let report):
                let d = report.delayMs
                let who = count > 1 ? "listener \(n): " : ""
                FileHandle.standardError.write(
                    Data(
                        (who
                            + String(
                                format: "received %d packets (%.1f s), lost %d, dropped by server %d; delay ms p50 %.1f p90 %.1f p99 %.1f max %.1f",
                                report.packets,
                                Double(report.packets) * 0.02,
                                report.lost,
                                report.droppedByServer,
                                d.p50,
                                d.p90,
                                d.p99,
                                d.max
                            ) + "\n").utf8
                    )
                )
            case .failure(let failure):
                failures.append(count > 1 ? "listener \(n): \(failure)" : failure.description)
            }
        }
        if !failures.isEmpty { throw CommandFailure(failures.joined(separator: "\n")) }
    }

    private func path(_ template: String?, _ n: Int) -> String? {
        template.map { $0.replacingOccurrences(of: "{n}", with: String(n)) }
    }

    private func listenOnce(_ n: Int, server: ServerAddress, stop: StopRequest) async -> Result<ChannelListener.Report, CommandFailure> {
        do {
            let writer: WAVWriter?
            switch path(output, n) {
            case "-": writer = try WAVWriter(fileHandle: .standardOutput, sampleRate: 48000, channels: 1)
            case let file?: writer = try WAVWriter(url: URL(fileURLWithPath: file), sampleRate: 48000, channels: 1)
            case nil: writer = nil
            }
            let sink = WriterBox(writer)
            var log: (@Sendable (String, UInt64) -> Void)?
            if let file = path(controlLog, n) {
                let handle: FileHandle
                do { handle = try OutputFile.open(atPath: file) } catch {
                    return .failure(CommandFailure("\(error)"))
                }
                log = { text, at in handle.write(Data(#"{"receivedAt":\#(at),"message":\#(text)}"#.utf8 + [0x0A])) }
            }
            let printsCaptions = captions
            let logLine = log
            let control: @Sendable (String, UInt64) -> Void = { text, at in
                logLine?(text, at)
                if printsCaptions, let line = CaptionLine(text) { say(line.description) }
            }
            let listener = ChannelListener(
                server: server,
                event: listening.event,
                channel: listening.channel,
                pin: listening.pin,
                duration: duration,
                idleTimeout: idleTimeout
            )
            let report: ChannelListener.Report
            do {
                report = try await listener.run(
                    stopRequested: { stop.isRequested },
                    onControl: control,
                    onAudio: { samples in try sink.append(samples) }
                )
            } catch {
                try? sink.finish()
                return .failure(CommandFailure("\(error)"))
            }
            try sink.finish()
            if let file = path(statsJSON, n) {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(report).write(to: URL(fileURLWithPath: file))
            }
            return .success(report)
        } catch {
            return .failure(CommandFailure("\(error)"))
        }
    }
}

/// Lets the packet loop (a @Sendable closure) append to the WAV writer; calls are sequential.
private final class WriterBox: @unchecked Sendable {
    // @unchecked: the listener calls `append` from one task, one frame after another, then `finish` after it returned.
    private var writer: WAVWriter?
    init(_ writer: WAVWriter?) { self.writer = writer }
    func append(_ samples: [Float]) throws { try writer?.append(samples) }
    func finish() throws {
        try writer?.finish()
        writer = nil
    }
}

/// A final caption as a line of a terminal: `12:04:31  ru  Уважаемые коллеги…` (the time the speech began).
struct CaptionLine: CustomStringConvertible {
    let caption: ControlMessages.Caption

    /// The line for a control message, if it is a final caption with text.
    init?(_ text: String) {
        guard text.contains(#""caption""#),
            let caption = try? JSONDecoder().decode(ControlMessages.Caption.self, from: Data(text.utf8)),
            caption.type == "caption", caption.final,
            !caption.text.allSatisfy(\.isWhitespace)  // an empty final line withdraws a partial one
        else { return nil }
        self.caption = caption
    }

    var description: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        let time = formatter.string(from: Date(timeIntervalSince1970: Double(caption.start) / 1_000_000))
        return "\(time)  \(caption.language ?? "?")  \(caption.text)"
    }
}
