import ArgumentParser
import DragomanAudio
import DragomanClient
import DragomanCore
import Foundation

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Listen to a channel: write what it carries to a WAV file or stdout, then print packets, loss and delay.")

    @OptionGroup var listening: ChannelOptions
    @Option(help: "WAV file to write (48 kHz mono 16-bit), or - for stdout.")
    var output: String?
    @Option(help: "Stop after this many seconds.")
    var duration: Double?
    @Option(help: "Stop when nothing arrived for this many seconds after the first packet.")
    var idleTimeout: Double?
    @Option(help: "Write the statistics as JSON to this file.")
    var statsJSON: String?

    func run() async throws {
        let writer: WAVWriter?
        if let output {
            writer = output == "-" ? try WAVWriter(fileHandle: .standardOutput, sampleRate: 48000, channels: 1)
                                   : try WAVWriter(url: URL(fileURLWithPath: output), sampleRate: 48000, channels: 1)
        } else {
            writer = nil
        }
        let sink = WriterBox(writer)
        let listener = ChannelListener(server: try ServerAddress(listening.server), event: listening.event, channel: listening.channel, pin: listening.pin, duration: duration, idleTimeout: idleTimeout)
        let report: ChannelListener.Report
        do {
            report = try await listener.run { samples in try sink.append(samples) }
        } catch {
            try? sink.finish()
            throw CommandFailure("\(error)")
        }
        try sink.finish()
        let d = report.delayMs
        let summary = String(format: "received %d packets (%.1f s), lost %d, dropped by server %d; delay ms p50 %.1f p90 %.1f p99 %.1f max %.1f",
                             report.packets, Double(report.packets) * 0.02, report.lost, report.droppedByServer, d.p50, d.p90, d.p99, d.max)
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        if let statsJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: statsJSON))
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
