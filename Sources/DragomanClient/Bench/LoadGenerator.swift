import DragomanAudio
public import DragomanCore
public import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Opens many listener connections to a running server, drives its floor at real-time pace,
/// and measures what the listeners get: delay percentiles from the probes, loss from
/// everyone, connect and first-audio times, and the server's CPU and memory.
public struct LoadGenerator: Sendable {
    public struct Options: Sendable {
        public var server: ServerAddress
        public var event: String
        public var floorToken: String
        public var channel: String
        public var listeners: Int
        /// Listeners that timestamp every packet (the rest only count).
        public var probes: Int
        public var warmup: Double
        public var duration: Double
        /// The server's process id, to sample its CPU and memory from /proc.
        public var serverPID: Int32?
        /// Drop every listener once during the run and measure how long until all play again.
        public var reconnectStorm: Bool
        /// How often the cheap listeners read their sockets (probes read at once).
        public var readIntervalMs: Int
        /// Listeners opening their connection at once, at most, before measuring (0: all at once). A reconnect
        /// storm always drops and reopens everyone at once.
        public var connectingAtOnce = 0
        /// Listen on this Icecast mount (fed by `dragoman icecast`) instead of Dragoman's WebSocket.
        public var icecastMount: URL?
        /// The relay's timing log (`granule ingestMicros` per line), to turn Icecast arrivals into delays.
        public var icecastTimingLog: String?

        public init(
            server: ServerAddress,
            event: String,
            floorToken: String,
            channel: String = "floor",
            listeners: Int,
            probes: Int = 20,
            warmup: Double = 2,
            duration: Double = 10,
            serverPID: Int32? = nil,
            reconnectStorm: Bool = false,
            readIntervalMs: Int = 100
        ) {
            self.server = server
            self.event = event
            self.floorToken = floorToken
            self.channel = channel
            self.listeners = listeners
            self.probes = probes
            self.warmup = warmup
            self.duration = duration
            self.serverPID = serverPID
            self.reconnectStorm = reconnectStorm
            self.readIntervalMs = readIntervalMs
        }

        /// Options for listening through an Icecast mount that `dragoman icecast` feeds from the event's channel.
        public static func icecast(_ base: Options, mount: URL, timingLog: String, icecastPID: Int32?) -> Options {
            var options = base
            options.icecastMount = mount
            options.icecastTimingLog = timingLog
            options.serverPID = icecastPID
            return options
        }
    }

    /// The figures of one run.
    public struct Result: Sendable, Codable {
        public var listeners: Int
        public var probes: Int
        public var seconds: Double
        public var packetsPerListener: Double
        public var lost: Int
        public var listenersWithLoss: Int
        public var delayMs: Percentiles
        public var connectMs: Percentiles
        public var firstAudioMs: Percentiles
        public var failedConnections: Int
        /// The most common reasons of failed connections, with counts.
        public var failureReasons: [String: Int]
        public var serverCPUPercent: Double?
        public var serverRSSMiB: Double?
        public var serverCPUMicrosPerListenerPacket: Double?
        /// The share of the server's CPU time spent in the kernel (system calls, TCP), in percent.
        public var serverKernelSharePercent: Double?
        /// The load generator's own CPU, in percent of one core: it shares the machine with the server.
        public var benchCPUPercent: Double?
        /// With a reconnect storm: seconds from dropping everyone until the last listener had audio again.
        public var stormRecoverySeconds: Double?
        public var stormRecovered: Int?
    }

    let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Result {
        guard let host = options.server.base.host, let port = options.server.base.port else {
            throw ClientError("the server address needs a host and a port")
        }
        // Over TLS every listener is a probe (a NIO client with NIOSSL): the raw-socket bulk listeners speak plain TCP.
        let tls = try ClientTLS.configuration(for: options.server).map { try NIOSSLContext(configuration: $0) }
        if tls != nil && options.icecastMount != nil { throw ClientError("listening through Icecast is plain HTTP here") }
        let target: ListenTarget
        if let mount = options.icecastMount {
            guard let mountHost = mount.host, let mountPort = mount.port else { throw ClientError("the Icecast mount URL needs a host and a port") }
            target = ListenTarget(
                host: mountHost,
                port: mountPort,
                format: .ogg,
                request: "GET \(mount.path) HTTP/1.1\r\nHost: \(mountHost):\(mountPort)\r\nUser-Agent: dragoman-bench\r\n\r\n"
            )
        } else {
            let path = "/ws/listen/\(options.event)?channel=\(options.channel)"
            target = ListenTarget(
                host: host,
                port: port,
                format: .webSocket,
                request: "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            )
        }

        // The floor, at real-time pace, for the whole run.
        let floor = Task {
            let tone = LoadGenerator.testSignal(seconds: 10)
            _ = try await FloorIngest(server: options.server, event: options.event, token: options.floorToken, source: .audio(tone), loop: true).run()
        }
        defer { floor.cancel() }

        // Probes are full NIO clients that timestamp every packet; everyone else is a bulk listener on raw sockets,
        // so that the generator leaves the machine to the server.
        let probeCount = tls == nil ? min(options.probes, options.listeners) : options.listeners
        var probes = (0..<probeCount).map { _ in LoadListenerStats() }
        progress("connecting \(options.listeners) listeners")
        let bulk = try BulkListeners(
            target: target,
            count: options.listeners - probeCount,
            readIntervalMs: options.readIntervalMs,
            openingAtOnce: options.connectingAtOnce
        )
        bulk.start()
        defer { bulk.stop() }
        var channels = try await connect(stats: probes, target: target, tls: tls)
        try await waitUntilConnected(bulk)

        try await Task.sleep(for: .seconds(options.warmup))
        let cpuBefore = options.serverPID.flatMap(ProcessSample.read)
        let benchBefore = ProcessSample.read(pid: getpid())
        for stat in probes { stat.record(true) }
        bulk.record(true)
        let start = ContinuousClock.now
        progress("measuring for \(options.duration) s")

        var stormRecovery: Double?
        var stormRecovered: Int?
        if options.reconnectStorm {
            try await Task.sleep(for: .seconds(options.duration / 2))
            progress("reconnect storm: dropping all \(options.listeners) listeners")
            for channel in channels { channel.close(promise: nil) }
            probes = (0..<probeCount).map { _ in LoadListenerStats() }
            for stat in probes { stat.record(true) }
            bulk.reconnectAll(allAtOnce: true)
            channels = try await connect(stats: probes, target: target, tls: tls)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            var firstAudio: [Double] = []
            while ContinuousClock.now < deadline {
                firstAudio = (probes.map(\.snapshot) + bulk.snapshots).compactMap(\.firstAudioMs)
                if firstAudio.count == options.listeners { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            // Each listener's clock starts when it began reconnecting, right after the drop.
            stormRecovered = firstAudio.count
            stormRecovery = firstAudio.max().map { $0 / 1000 }
            try await Task.sleep(for: .seconds(max(0, options.duration - (ContinuousClock.now - start).seconds)))
        } else {
            try await Task.sleep(for: .seconds(options.duration))
        }
        var result = summarize(
            snapshots: probes.map(\.snapshot) + bulk.snapshots,
            seconds: (ContinuousClock.now - start).seconds,
            cpuBefore: cpuBefore,
            benchBefore: benchBefore
        )
        for channel in channels { channel.close(promise: nil) }
        result.stormRecoverySeconds = stormRecovery
        result.stormRecovered = stormRecovered
        return result
    }

    /// Waits until every bulk listener has its answer from the server, or has failed (30 s at most), so that
    /// a server that is slow to take in new listeners is measured with all of them.
    private func waitUntilConnected(_ bulk: BulkListeners) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while bulk.stillOpening > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func summarize(snapshots: [LoadListenerStats.Snapshot], seconds: Double, cpuBefore: ProcessSample?, benchBefore: ProcessSample?) -> Result
    {
        let delays = probeDelays(snapshots.prefix(options.probes).flatMap(\.arrivals))
        let cpuAfter = options.serverPID.flatMap(ProcessSample.read)
        var cpuPercent: Double?
        var cpuPerPacket: Double?
        var kernelShare: Double?
        let totalPackets = snapshots.reduce(0) { $0 + $1.packets }
        if let before = cpuBefore, let after = cpuAfter {
            let cpuSeconds = after.cpuSeconds - before.cpuSeconds
            cpuPercent = 100 * cpuSeconds / seconds
            if totalPackets > 0 { cpuPerPacket = cpuSeconds * 1e6 / Double(totalPackets) }
            if cpuSeconds > 0 { kernelShare = 100 * (after.systemSeconds - before.systemSeconds) / cpuSeconds }
        }
        let benchAfter = ProcessSample.read(pid: getpid())
        let benchCPU = benchBefore.flatMap { before in benchAfter.map { 100 * ($0.cpuSeconds - before.cpuSeconds) / seconds } }
        return Result(
            listeners: options.listeners,
            probes: min(options.probes, options.listeners),
            seconds: seconds,
            packetsPerListener: Double(totalPackets) / Double(max(1, snapshots.count)),
            lost: snapshots.reduce(0) { $0 + $1.lost },
            listenersWithLoss: snapshots.filter { $0.lost > 0 }.count,
            delayMs: Percentiles(delays),
            connectMs: Percentiles(snapshots.compactMap(\.connectMs)),
            firstAudioMs: Percentiles(snapshots.compactMap(\.firstAudioMs)),
            failedConnections: snapshots.filter { $0.connectMs == nil }.count,
            failureReasons: Dictionary(snapshots.compactMap(\.failure).map { (String($0.prefix(80)), 1) }, uniquingKeysWith: +),
            serverCPUPercent: cpuPercent,
            serverRSSMiB: cpuAfter.map { Double($0.rssKiB) / 1024 },
            serverCPUMicrosPerListenerPacket: cpuPerPacket,
            serverKernelSharePercent: kernelShare,
            benchCPUPercent: benchCPU,
            stormRecoverySeconds: nil,
            stormRecovered: nil
        )
    }

    /// Opens one connection per probe (through TLS when `tls` is given); probes read at once and timestamp every packet.
    private func connect(stats: [LoadListenerStats], target: ListenTarget, tls: NIOSSLContext?) async throws -> [any Channel] {
        let request = ByteBuffer(string: target.request)
        return try await withThrowingTaskGroup(of: (any Channel)?.self) { tasks in
            for stat in stats {
                tasks.addTask {
                    stat.started()
                    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connectTimeout(.seconds(20))
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                if let tls {
                                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil))
                                }
                                try channel.pipeline.syncOperations.addHandler(ProbeHandler(stats: stat, format: target.format))
                            }
                        }
                    do {
                        let channel = try await bootstrap.connect(host: target.host, port: target.port).get()
                        try await channel.writeAndFlush(request).get()
                        return channel
                    } catch {
                        stat.fail("\(error)")
                        return nil
                    }
                }
            }
            var channels: [any Channel] = []
            for try await channel in tasks { if let channel { channels.append(channel) } }
            return channels
        }
    }

    /// Delays in milliseconds from the probes' arrivals. Dragoman's packets carry their ingest time; an Icecast
    /// page carries a granule position, which the relay's timing log maps to the ingest time of the same packet.
    private func probeDelays(_ arrivals: [(key: UInt64, micros: UInt64)]) -> [Double] {
        guard let log = options.icecastTimingLog else {
            return arrivals.map { Double(Int64($0.micros) - Int64($0.key)) / 1000 }
        }
        var ingestByGranule: [UInt64: UInt64] = [:]
        if let text = try? String(contentsOfFile: log, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2, let granule = UInt64(fields[0]), let ingest = UInt64(fields[1]) { ingestByGranule[granule] = ingest }
            }
        }
        return arrivals.compactMap { arrival in ingestByGranule[arrival.key].map { Double(Int64(arrival.micros) - Int64($0)) / 1000 } }
    }

    /// A speech-like test signal: a tone gliding between 200 and 3,000 Hz with syllable-rate loudness changes.
    static func testSignal(seconds: Double, rate: Int = 48000) -> PCMAudio {
        let count = Int(seconds * Double(rate))
        var samples = [Float](repeating: 0, count: count)
        var phase = 0.0
        for i in 0..<count {
            let t = Double(i) / Double(rate)
            let frequency = 1600 + 1400 * sin(2 * .pi * 0.3 * t)
            phase += 2 * .pi * frequency / Double(rate)
            let envelope = 0.5 + 0.5 * sin(2 * .pi * 4 * t)
            samples[i] = Float(0.3 * envelope * sin(phase))
        }
        return PCMAudio(sampleRate: rate, channels: 1, samples: samples)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// CPU time and resident memory of a process, from /proc.
struct ProcessSample: Sendable {
    var cpuSeconds: Double
    var systemSeconds: Double
    var rssKiB: Int

    static func read(pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss = 0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        {
            rss = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return ProcessSample(cpuSeconds: (utime + stime) / ticks, systemSeconds: stime / ticks, rssKiB: rss)
    }
}

/// Where the simulated listeners connect and what they say first.
struct ListenTarget: Sendable {
    /// What the listeners read: Dragoman's WebSocket, or an Ogg/Opus stream over HTTP (Icecast).
    enum Format: Sendable { case webSocket, ogg }

    var host: String
    var port: Int
    var format: Format
    var request: String
}
