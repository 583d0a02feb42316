import ArgumentParser
import DragomanClient
import Foundation

struct IcecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "icecast",
        abstract: "Push a channel to an Icecast mount (Ogg/Opus), for audiences beyond the venue served by Icecast and its relays.",
        discussion: """
            Runs beside the server, like a listener: the channel's Opus packets go to Icecast as they are \
            (no re-encoding), one Ogg page per 20 ms. Both connections are retried with backoff; while the \
            channel is silent, Icecast gets silence so that it keeps the mount. Needs Icecast 2.4 or newer. \
            Runs until stopped (Ctrl-C).

            Example:
              dragoman icecast --event K7QM2X --channel ru --icecast http://source:hackme@stream.example.org:8000/ru.ogg --name "Summit — Russian"
            """
    )

    @OptionGroup var listening: ChannelOptions
    @Option(help: ArgumentHelp("Icecast mount with its source credentials.", valueName: "http://source:PASSWORD@host:8000/mount.ogg"))
    var icecast: String
    @Option(help: "Stream name Icecast shows (default: Dragoman <event> <channel>).")
    var name: String?
    @Option(help: "Stream description Icecast shows.")
    var description: String?
    @Option(
        help: ArgumentHelp("Append 'granule ingest-µs' per relayed packet to this file, for dragoman bench --icecast-timing-log.", valueName: "file")
    )
    var timingLog: String?

    func validate() throws {
        do {
            _ = try IcecastMount(icecast)
        } catch let invalid as IcecastMount.Invalid {
            throw ValidationError("--icecast: \(invalid)")
        }
        _ = try ServerAddress(listening.server)
    }

    func run() async throws {
        var onRelayed: (@Sendable (Int64, UInt64) -> Void)?
        if let timingLog {
            let log: TimingLog
            do {
                log = try TimingLog(path: timingLog)
            } catch {
                throw CommandFailure("cannot write the timing log \(timingLog): \(error)")
            }
            onRelayed = { granule, ingestMicros in log.append(granule: granule, ingestMicros: ingestMicros) }
        }
        let relay = ChannelRelay(
            server: try ServerAddress(listening.server),
            event: listening.event,
            channel: listening.channel,
            pin: listening.pin,
            mount: try IcecastMount(icecast),
            info: IcecastStreamInfo(name: name ?? "Dragoman \(listening.event.uppercased()) \(listening.channel)", description: description),
            onRelayed: onRelayed
        ) { line in
            say("\(Self.timestamp()) \(line)")
        }
        do {
            try await relay.run()
        } catch is CancellationError {
            return
        } catch {
            throw CommandFailure("dragoman: \(error)")
        }
    }

    /// Local time for log lines: a technician compares them with the clock on the wall.
    private static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date())
    }
}

/// The relay's timing log: one line `granule ingest-µs` per packet sent to Icecast, which `dragoman bench`
/// reads to turn the arrival of an Icecast page into a delay from the floor.
private final class TimingLog: Sendable {
    private let handle: FileHandle

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    /// Called from one task at a time (the relay's packet loop), so lines never interleave.
    func append(granule: Int64, ingestMicros: UInt64) {
        handle.write(Data("\(granule) \(ingestMicros)\n".utf8))
    }
}
