import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServer
import DragomanServerTesting
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A channel pushed to a real icecast2 reaches the listeners of its mount, and everything that
/// can go wrong on the way is said in words a technician can act on.
@Suite(.serialized)
struct IcecastOutputTests {
    /// The floor, relayed to an Icecast mount, plays as the same tone for a listener of the mount;
    /// before the floor is live the mount carries silence instead of nothing.
    @Test func mountListenerHearsTheChannel() async throws {
        let icecast = try await IcecastProcess.start()
        defer { icecast.stop() }
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let log = RelayLog()
            let relay = ChannelRelay(
                server: server.address,
                event: event.code.value,
                channel: "floor",
                mount: icecast.mount("/test.ogg"),
                info: IcecastStreamInfo(name: "Test floor"),
                log: log.append
            )
            let relaying = Task { try await relay.run() }
            defer { relaying.cancel() }
            try await log.waitFor("icecast: connected to 127.0.0.1:\(icecast.port)/test.ogg", icecast: icecast)

            // The listener joins before the floor is live, hears silence, then 3 s of tone, then silence. It stops
            // once it has heard 20 pages of silence, 150 of the floor and 25 after it (one page per 20 ms packet;
            // at the latest after 30 s), so a busy machine only makes the test slower.
            let (floorEnded, ending) = AsyncStream.makeStream(of: Void.self)
            let (pages, pageCount) = AsyncStream.makeStream(of: Int.self)
            let pagesToHear = 2 + 20 + 150 + 25
            async let heard = MountListener.read(port: icecast.port, path: "/test.ogg", seconds: 30, pages: pageCount) {
                for await _ in floorEnded { break }
                // The trailing silence: what the relay sends once the floor is gone.
                for await count in pages where count >= pagesToHear { break }
            }
            // The floor starts once the listener has heard 20 pages of the relay's silence (plus the two header pages).
            for await count in pages where count >= 22 { break }
            _ = try await server.publishFloor(event, seconds: 3)
            ending.yield()
            let (status, body) = try await heard

            #expect(status.hasPrefix("HTTP/1.0 200") || status.hasPrefix("HTTP/1.1 200"), "Icecast's answer to the listener: \(status)")
            var reader = OggOpusReader()
            let packets = try reader.push(body)
            let head = try #require(reader.head, "no OpusHead in what the mount sent (\(body.count) bytes); relay log:\n\(log.text)")
            let decoder = try OpusDecoder()
            var samples: [Float] = []
            for packet in packets { samples += try decoder.decode(packet.data) }
            samples.removeFirst(min(head.preSkip, samples.count))
            let frames = stride(from: 0, to: samples.count - 959, by: 960).map { Array(samples[$0..<($0 + 960)]) }

            // Silence while the floor is not live, before and after the tone: the mount never starves.
            // (Counts, not timings: on a busy machine the floor can arrive late, and the relay rightly
            // fills such a gap with silence too.)
            let loud = frames.map { AudioAnalysis.rms($0) > 0.05 }
            let firstLoud = try #require(loud.firstIndex(of: true), "no tone at all in \(frames.count) frames; relay log:\n\(log.text)")
            let lastLoud = loud.lastIndex(of: true)!
            #expect(
                firstLoud >= 15 && frames[..<(firstLoud - 2)].allSatisfy { AudioAnalysis.rms($0) < 0.001 },
                "the mount should carry digital silence before the floor is live (\(firstLoud) frames before the tone)"
            )
            #expect(
                frames.count - 1 - lastLoud >= 5 && frames[(lastLoud + 1)...].allSatisfy { AudioAnalysis.rms($0) < 0.05 },
                "the mount should carry silence again after the floor (\(frames.count - 1 - lastLoud) frames after the tone)"
            )
            #expect(
                loud.filter { $0 }.count >= 140,
                "3 s of tone should give about 150 loud frames; got \(loud.filter { $0 }.count); relay log:\n\(log.text)"
            )

            // The tone itself: the longest run of loud frames, without its edges (fade-in of the codec and limiter).
            var best = 0..<0
            var start = 0
            for index in 0...loud.count where index == loud.count || !loud[index] {
                if index - start > best.count { best = start..<index }
                start = index + 1
            }
            try #require(best.count >= 40, "the longest run of tone is \(best.count) frames; relay log:\n\(log.text)")
            let tone = Array(frames[(best.lowerBound + 5)..<(best.upperBound - 5)].joined())
            let frequency = AudioAnalysis.estimatedFrequency(tone, sampleRate: 48000)
            #expect(abs(frequency - 440) < 3, "estimated \(frequency) Hz")
            #expect(AudioAnalysis.dBFS(tone) > -15, "tone level \(AudioAnalysis.dBFS(tone)) dBFS; the floor sends 0.4 (−8 dBFS peak)")
            #expect(AudioAnalysis.toneAmplitude(tone, frequency: 440, sampleRate: 48000) > 0.25)
        }
    }

    /// When Icecast goes away and comes back, the relay reconnects by itself and the new
    /// Icecast gets a stream that starts with its headers.
    @Test func relayReconnectsWhenIcecastRestarts() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let first = try await IcecastProcess.start()
            defer { first.stop() }
            let log = RelayLog()
            let relay = ChannelRelay(server: server.address, event: event.code.value, channel: "ru", mount: first.mount("/ru.ogg"), log: log.append)
            let relaying = Task { try await relay.run() }
            defer { relaying.cancel() }
            try await log.waitFor("icecast: connected", icecast: first)
            #expect(log.lines.contains { $0.hasPrefix("dragoman: connected to \(server.address), event \(event.code), channel ru") })

            first.stop()
            try await log.waitFor("icecast: connection to 127.0.0.1:\(first.port)/ru.ogg lost, retrying in", icecast: first)
            let second = try await IcecastProcess.start(port: first.port)
            defer { second.stop() }
            try await log.waitFor("icecast: connected", count: 2, timeout: .seconds(6), icecast: second)

            let (_, body) = try await MountListener.read(port: second.port, path: "/ru.ogg", seconds: 1)
            var reader = OggOpusReader()
            let packets = try reader.push(body)
            #expect(reader.head != nil, "the stream after reconnecting must start with its OpusHead")
            #expect(packets.count >= 35, "about 50 silent packets per second keep the mount alive; got \(packets.count)")
        }
    }

    /// Icecast's refusals and an absent Icecast are explained, with what to check.
    @Test func refusalsSayWhatToCheck() async throws {
        let icecast = try await IcecastProcess.start()
        defer { icecast.stop() }
        var wrongPassword = icecast.mount("/test.ogg")
        wrongPassword.password = "not-the-password"
        await #expect {
            _ = try await IcecastSource.connect(to: wrongPassword)
        } throws: { error in
            (error as? IcecastRefusal)?.status == 401 && "\(error)".hasPrefix("401 Unauthorized — check the source password")
        }

        let holder = try await IcecastSource.connect(to: icecast.mount("/busy.ogg"))
        defer { holder.close() }
        await #expect {
            _ = try await IcecastSource.connect(to: icecast.mount("/busy.ogg"))
        } throws: { error in
            (error as? IcecastRefusal)?.status == 403 && "\(error)".contains("another source is feeding /busy.ogg")
        }

        let nobody = try IcecastProcess.freePort()
        await #expect {
            _ = try await IcecastSource.connect(to: IcecastMount(host: "127.0.0.1", port: nobody, path: "/x.ogg", password: "p"))
        } throws: { error in
            "\(error)"
                == "cannot connect to 127.0.0.1:\(nobody): connection refused: Icecast is not running, or listens on another port than \(nobody)"
        }
    }

    /// A bad `--icecast` URL is refused before anything connects, saying what the URL lacks.
    @Test func badIcecastURLsAreExplained() throws {
        let mount = try IcecastMount("http://source:s3cret@icecast.example.org:8000/ru.ogg")
        #expect(mount == IcecastMount(host: "icecast.example.org", port: 8000, path: "/ru.ogg", user: "source", password: "s3cret"))
        #expect("\(mount)" == "icecast.example.org:8000/ru.ogg", "the password never appears in logs")
        #expect(try IcecastMount("http://:pw@host/a.ogg") == IcecastMount(host: "host", port: 8000, path: "/a.ogg", user: "source", password: "pw"))

        let cases: [(String, String)] = [
            ("http://source@host:8000/ru.ogg", "has no source password; write it as http://source:PASSWORD@host:8000/ru.ogg"),
            ("http://host:8000/ru.ogg", "has no source password"),
            ("ftp://source:pw@host/ru.ogg", "the scheme must be http://"),
            ("https://source:pw@host/ru.ogg", "plain HTTP only"),
            ("icecast-host:8000/ru.ogg", "the scheme must be http://"),
            ("http://source:pw@host:8000", "names no mount point"),
            ("http://source:pw@/ru.ogg", "names no Icecast host"),
        ]
        for (url, expected) in cases {
            #expect {
                _ = try IcecastMount(url)
            } throws: { error in
                error is IcecastMount.Invalid && "\(error)".contains(expected) && !"\(error)".contains("pw@")
            }
        }
    }

    /// The one silent packet the relay repeats decodes to digital silence every time.
    @Test func repeatedSilentPacketStaysSilent() throws {
        let packet = try SilentOpusPacket.make()
        #expect(packet.count < 20, "silence should cost next to nothing; got \(packet.count) bytes")
        let decoder = try OpusDecoder()
        for _ in 0..<100 {
            let samples = try decoder.decode(packet)
            #expect(samples.count == 960)
            #expect(AudioAnalysis.peak(samples) < 1e-4)
        }
    }
}

/// An `icecast2` process on a free loopback port with its configuration, logs and pid in a temporary folder.
struct IcecastProcess: Sendable {
    static let executable = "/usr/bin/icecast2"
    let port: Int
    let password = "test-source-password"
    let directory: URL
    private let process: ProcessBox

    /// The mount `path` on this Icecast, with the source credentials.
    func mount(_ path: String) -> IcecastMount {
        IcecastMount(host: "127.0.0.1", port: port, path: path, password: password)
    }

    /// Starts icecast2 and waits until it accepts connections.
    ///
    /// Runs under `timeout` so that it dies within a minute even if the test process itself
    /// is killed before it can stop it.
    static func start(port: Int? = nil) async throws -> IcecastProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSetupError("icecast2 is not installed (\(executable) is missing): run scripts/setup, or apt-get install icecast2")
        }
        let port = try port ?? freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-icecast-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // As root, icecast2 refuses to start unless it drops to another user, which must then be able to write its logs.
        let isRoot = getuid() == 0
        if isRoot {
            try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: directory.path)
        }
        let config = """
            <icecast>
              <location>Dragoman tests</location>
              <admin>tests@localhost</admin>
              <hostname>127.0.0.1</hostname>
              <limits>
                <clients>20</clients>
                <sources>4</sources>
                <queue-size>524288</queue-size>
                <client-timeout>30</client-timeout>
                <header-timeout>5</header-timeout>
                <source-timeout>5</source-timeout>
                <burst-on-connect>0</burst-on-connect>
                <burst-size>0</burst-size>
              </limits>
              <authentication>
                <source-password>test-source-password</source-password>
                <admin-user>admin</admin-user>
                <admin-password>test-admin-password</admin-password>
              </authentication>
              <listen-socket>
                <port>\(port)</port>
                <bind-address>127.0.0.1</bind-address>
              </listen-socket>
              <fileserve>1</fileserve>
              <paths>
                <basedir>\(directory.path)</basedir>
                <logdir>\(directory.path)</logdir>
                <pidfile>\(directory.path)/icecast.pid</pidfile>
                <webroot>/usr/share/icecast2/web</webroot>
                <adminroot>/usr/share/icecast2/admin</adminroot>
              </paths>
              <logging>
                <accesslog>access.log</accesslog>
                <errorlog>error.log</errorlog>
                <loglevel>3</loglevel>
              </logging>
              <security>
                <chroot>0</chroot>
                \(isRoot ? "<changeowner><user>nobody</user><group>nogroup</group></changeowner>" : "")
              </security>
            </icecast>
            """
        let configFile = directory.appendingPathComponent("config.xml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let outputFile = directory.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=5", "60", executable, "-c", configFile.path]
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let icecast = IcecastProcess(port: port, directory: directory, process: ProcessBox(process))

        // A limit on an outcome, not a timing: a busy machine may take seconds to start it.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                icecast.stop()
                throw TestSetupError("icecast2 exited at start (status \(process.terminationStatus)):\n\(icecast.diagnostics)")
            }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                channel.close(promise: nil)
                return icecast
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let diagnostics = icecast.diagnostics
        icecast.stop()
        throw TestSetupError("icecast2 did not accept connections on 127.0.0.1:\(port) within 30 s:\n\(diagnostics)")
    }

    /// What icecast2 printed and logged, for failure messages.
    var diagnostics: String {
        ["output.txt", "error.log"].map { name in
            let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "(none)"
            return "--- \(name)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Stops icecast2 (and its `timeout` wrapper) and removes the folder; safe to call more than once.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        guard let port = channel.localAddress?.port else { throw TestSetupError("no free port") }
        return port
    }
}

/// The `timeout` process that runs icecast2; stopping it stops both.
private final class ProcessBox: Sendable {
    private let process: Mutex<Process?>

    init(_ process: Process) { self.process = Mutex(process) }

    func stop() {
        guard
            let process = self.process.withLock({ process in
                defer { process = nil }
                return process
            })
        else { return }
        guard process.isRunning else { return }
        // Not SIGTERM: icecast2 takes about 3 s to shut down cleanly, and a test server has nothing to save.
        // Killing icecast2 itself lets `timeout` reap it and exit; killing both at once would leave
        // icecast2 to be reaped by init. `timeout` leads its own process group: the fallback kills that.
        let pid = process.processIdentifier
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let icecast = children.split(separator: " ").compactMap { pid_t($0) }
        if icecast.isEmpty {
            kill(-pid, SIGKILL)
        } else {
            for child in icecast { kill(child, SIGKILL) }
        }
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(-pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A test could not set up what it needs; says how to fix that.
struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The relay's log lines, kept for assertions and failure messages.
final class RelayLog: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }
    var text: String { lines.joined(separator: "\n") }

    @Sendable func append(_ line: String) { storage.withLock { $0.append(line) } }

    /// Waits until `count` lines start with `prefix`.
    func waitFor(_ prefix: String, count: Int = 1, timeout: Duration = .seconds(5), icecast: IcecastProcess) async throws {
        let deadline = ContinuousClock.now + timeout
        while lines.filter({ $0.hasPrefix(prefix) }).count < count {
            guard ContinuousClock.now < deadline else {
                throw TestSetupError(
                    "no \(count == 1 ? "" : "\(count)× ")'\(prefix)…' in the relay log within \(timeout):\n\(text)\n\(icecast.diagnostics)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A listener of an Icecast mount over plain TCP: sends the GET, keeps everything it receives.
enum MountListener {
    /// Reads for `seconds`; returns Icecast's status line and the body (the Ogg stream).
    /// Reads the mount until `until` returns, or for `seconds` at most.
    /// `pages` is told how many Ogg pages have arrived so far, as they arrive.
    static func read(
        port: Int,
        path: String,
        seconds: Double,
        pages: AsyncStream<Int>.Continuation? = nil,
        until: @escaping @Sendable () async -> Void = { try? await Task.sleep(for: .seconds(86_400)) }
    ) async throws -> (status: String, body: [UInt8]) {
        let (chunks, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(chunks: continuation)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: dragoman-test\r\n\r\n"))
            .get()
        let stopper = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
                group.addTask { await until() }
                await group.next()
                group.cancelAll()
            }
            channel.close(promise: nil)
        }
        defer {
            stopper.cancel()
            channel.close(promise: nil)
        }
        var bytes: [UInt8] = []
        var pageCount = 0
        for await chunk in chunks {
            let overlap = max(0, bytes.count - 3)
            bytes += chunk.readableBytesView
            pageCount += bytes[overlap...].ranges(of: Array("OggS".utf8)).count
            pages?.yield(pageCount)
        }
        pages?.finish()
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            throw TestSetupError("Icecast sent no complete HTTP header to the listener (\(bytes.count) bytes)")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        return (head.components(separatedBy: "\r\n").first ?? "", Array(bytes[end.upperBound...]))
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let chunks: AsyncStream<ByteBuffer>.Continuation
        init(chunks: AsyncStream<ByteBuffer>.Continuation) { self.chunks = chunks }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { chunks.yield(unwrapInboundIn(data)) }
        func channelInactive(context: ChannelHandlerContext) {
            chunks.finish()
            context.fireChannelInactive()
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}
