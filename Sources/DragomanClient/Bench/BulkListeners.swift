import CLinuxIO
import Foundation
import NIOConcurrencyHelpers

/// Thousands of simulated listeners that cost the machine almost nothing, so that a benchmark
/// measures the server and not its own load generator.
///
/// One thread and raw non-blocking sockets: connections being opened wait in an `epoll` set
/// and are served at once (so connect and first-audio times are real); connections that stream
/// are read in turn every `readInterval`, like a phone whose radio wakes now and then. A
/// listener is a descriptor, a small parser state and a few counters in one flat array; no
/// event loop, channel, buffer or lock per connection.
///
/// Streaming sockets are in no `epoll` set: every one of them has audio by the next read anyway,
/// and in a set, each packet's arrival would take that set's lock in the kernel. That work runs in
/// the sending server's system call on loopback, and a server that sends from several cores
/// would contend on one lock that thousands of separate phones never share.
final class BulkListeners: @unchecked Sendable {
    // @unchecked: `connections`, `recording` and `command` are touched only under `lock`; the
    // descriptors and the epoll set only by the thread `run` starts.

    private enum Phase {
        case connecting
        /// The request is sent; the server's answer (101 or 200) has not fully arrived.
        case awaitingAnswer
        case streaming
        case closed
    }

    private struct Connection {
        var fd: Int32 = -1
        var phase = Phase.connecting
        var counter: PacketCounter
        /// The server's answer while it is incomplete.
        var answer: [UInt8] = []
        var startedMicros: UInt64 = 0
        var answeredMicros: UInt64?
        var tally = Tally()
        var failure: String?
    }

    private struct Tally {
        var firstAudioMicros: UInt64?
        var packets = 0
        var lost = 0
        var expected: UInt32?
    }

    private enum Command { case none, stop }

    private let target: ListenTarget
    private let framing: PacketCounter.Framing
    private let readInterval: Duration
    /// Connections being opened at once, at most; the next starts when one has its answer or fails.
    private var openingAtOnce: Int
    private var opening = 0
    private var nextToOpen = 0
    private let address: sockaddr_in
    private let lock = NIOLock()
    private var connections: [Connection]
    private var recording = false
    private var command = Command.none
    /// Tells events of connections closed by a reconnect from those of their successors at the same index.
    private var generation: UInt64 = 0
    private let stopped = DispatchSemaphore(value: 0)

    private let promptSet: Int32
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

    /// Opens `count` listeners to `target` as soon as `start` is called, `openingAtOnce` at a time (0: all at once).
    init(target: ListenTarget, count: Int, readIntervalMs: Int, openingAtOnce: Int = 0) throws {
        self.target = target
        self.openingAtOnce = openingAtOnce > 0 ? openingAtOnce : max(1, count)
        self.framing = target.format == .ogg ? .ogg : .webSocket
        self.readInterval = .milliseconds(max(1, readIntervalMs))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(target.port).bigEndian
        let host = target.host == "localhost" ? "127.0.0.1" : target.host
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw ClientError("the bulk listeners need an IPv4 address, not \(target.host)")
        }
        self.address = address
        self.connections = Array(repeating: Connection(counter: PacketCounter(framing: framing)), count: count)
        promptSet = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard promptSet >= 0 else { throw ClientError("epoll_create1: \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(promptSet)
        readBuffer.deallocate()
    }

    /// Starts the listeners' thread; every listener starts connecting at once.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "bulk-listeners"
        thread.start()
    }

    /// Counts packets and losses only while on (the warm-up is not measured).
    func record(_ on: Bool) { lock.withLock { recording = on } }

    /// Drops every connection at once and opens them all again (a room-wide reconnect); their figures start anew.
    func reconnectAll(allAtOnce: Bool) {
        lock.withLock {
            if allAtOnce { openingAtOnce = max(1, connections.count) }
            closeAll()
            openAll()
        }
    }

    /// Closes every connection and ends the thread.
    func stop() {
        lock.withLock { command = .stop }
        stopped.wait()
    }

    /// Listeners still connecting or waiting for the server's answer.
    var stillOpening: Int {
        lock.withLock {
            connections.reduce(0) { count, connection in
                switch connection.phase {
                case .connecting, .awaitingAnswer: count + 1
                case .streaming, .closed: count
                }
            }
        }
    }

    /// Each listener's figures so far.
    var snapshots: [LoadListenerStats.Snapshot] {
        lock.withLock {
            connections.map { c in
                LoadListenerStats.Snapshot(
                    connectMs: c.answeredMicros.map { Double($0 &- c.startedMicros) / 1000 },
                    firstAudioMs: c.tally.firstAudioMicros.map { Double($0 &- c.startedMicros) / 1000 },
                    packets: c.tally.packets,
                    lost: c.tally.lost,
                    arrivals: [],
                    connected: c.phase == .streaming,
                    failure: c.failure
                )
            }
        }
    }

    // MARK: - The thread

    private func run() {
        lock.withLock { openAll() }
        var events = [epoll_event](repeating: epoll_event(), count: 4096)
        var nextRead = ContinuousClock.now.advanced(by: readInterval)
        loop: while true {
            let wait = max(0, Int32((nextRead - ContinuousClock.now).milliseconds))
            let ready = events.withUnsafeMutableBufferPointer { epoll_wait(promptSet, $0.baseAddress, Int32($0.count), wait) }
            lock.withLock {
                for event in events.prefix(Int(max(0, ready))) {
                    if let index = index(of: event) { serveOpening(index: index) }
                }
                openMore()
            }
            guard ContinuousClock.now >= nextRead else { continue }
            nextRead = max(nextRead.advanced(by: readInterval), ContinuousClock.now)
            let stop: Bool = lock.withLock {
                readStreaming()
                switch command {
                case .none: return false
                case .stop: return true
                }
            }
            if stop { break loop }
        }
        lock.withLock { closeAll() }
        stopped.signal()
    }

    private func openAll() {
        generation += 1
        for index in connections.indices { connections[index] = Connection(counter: PacketCounter(framing: framing)) }
        nextToOpen = 0
        opening = 0
        openMore()
    }

    private func openMore() {
        while opening < openingAtOnce && nextToOpen < connections.count {
            nextToOpen += 1
            opening += 1
            connections[nextToOpen - 1].startedMicros = BenchClock.nowMicros()
            open(nextToOpen - 1)
        }
    }

    private func closeAll() {
        for index in connections.indices where connections[index].fd >= 0 {
            close(connections[index].fd)
            connections[index].fd = -1
            connections[index].phase = .closed
        }
    }

    private func open(_ index: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return fail(index, "socket: \(String(cString: strerror(errno)))") }
        connections[index].fd = fd
        var address = self.address
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 || errno == EINPROGRESS else { return fail(index, "connect: \(String(cString: strerror(errno)))") }
        watch(fd, index: index, in: promptSet, for: EPOLLOUT.rawValue)
    }

    private func watch(_ fd: Int32, index: Int, in set: Int32, for interest: UInt32) {
        var event = epoll_event()
        event.events = interest
        event.data.u64 = generation << 32 | UInt64(index)
        _ = epoll_ctl(set, EPOLL_CTL_ADD, fd, &event)
    }

    /// The connection an event is for, unless it was closed since.
    private func index(of event: epoll_event) -> Int? {
        guard event.data.u64 >> 32 == generation else { return nil }
        let index = Int(event.data.u64 & 0xFFFF_FFFF)
        return index < connections.count ? index : nil
    }

    /// A connection being opened is writable (connected: send the request) or readable (the server's answer).
    private func serveOpening(index: Int) {
        let fd = connections[index].fd
        switch connections[index].phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { return fail(index, "connect: \(String(cString: strerror(error)))") }
            let sent = target.request.utf8CString.withUnsafeBytes { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
            guard sent == target.request.utf8.count else { return fail(index, "could not send the request") }
            connections[index].phase = .awaitingAnswer
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = generation << 32 | UInt64(index)
            _ = epoll_ctl(promptSet, EPOLL_CTL_MOD, fd, &event)
        case .awaitingAnswer:
            read(index)
            if connections[index].phase == .streaming {
                _ = epoll_ctl(promptSet, EPOLL_CTL_DEL, fd, nil)
            }
        case .streaming, .closed:
            break
        }
    }

    /// Reads every streaming connection once; one with nothing waiting costs a `recv` that returns at once.
    private func readStreaming() {
        for index in connections.indices where connections[index].phase == .streaming {
            read(index)
        }
    }

    /// Reads what the socket holds (one call almost always: a 100 ms read is a few hundred bytes).
    private func read(_ index: Int) {
        let fd = connections[index].fd
        guard fd >= 0 else { return }
        while true {
            let count = recv(fd, readBuffer.baseAddress, readBuffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return disconnect(index) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                return fail(index, "recv: \(String(cString: strerror(errno)))")
            }
            consume(index, UnsafeRawBufferPointer(rebasing: readBuffer[..<count]))
            if count < readBuffer.count || connections[index].fd < 0 { return }
        }
    }

    private func consume(_ index: Int, _ bytes: UnsafeRawBufferPointer) {
        var bytes = bytes
        if connections[index].phase == .awaitingAnswer {
            connections[index].answer.append(contentsOf: bytes)
            let answer = connections[index].answer
            guard let end = answer.firstRange(of: [13, 10, 13, 10]) else {
                if answer.count > 8192 { fail(index, "the server's answer has no end") }
                return
            }
            let head = String(decoding: answer[..<end.upperBound], as: UTF8.self)
            let accepted =
                target.format == .webSocket ? head.hasPrefix("HTTP/1.1 101") : (head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200"))
            guard accepted else { return fail(index, "upgrade refused: \(head.prefix(40))") }
            connections[index].phase = .streaming
            opening -= 1
            connections[index].answeredMicros = BenchClock.nowMicros()
            connections[index].answer = []
            let bodyStart = bytes.count - (answer.count - end.upperBound)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[bodyStart...])
        }
        let recording = self.recording
        // The counter is taken out while it runs, so its cut-short head is not copied.
        var counter = connections[index].counter
        connections[index].counter = PacketCounter(framing: framing)
        var tally = connections[index].tally
        var closedByServer = false
        var pong: [UInt8]?
        do {
            try counter.feed(bytes) { item in
                switch item {
                case .audio(let sequence, _):
                    if tally.firstAudioMicros == nil { tally.firstAudioMicros = BenchClock.nowMicros() }
                    if let expected = tally.expected, sequence != expected {
                        let gap = sequence &- expected
                        if gap < 1 << 31, recording { tally.lost += Int(gap) }
                    }
                    tally.expected = sequence &+ 1
                    if recording { tally.packets += 1 }
                case .ping(let payload):
                    pong = PacketCounter.pong(for: payload)
                case .close:
                    closedByServer = true
                case .other, .bundle:  // a bundle reaches here as its packets
                    break
                }
            }
        } catch {
            connections[index].tally = tally
            return fail(index, target.format == .ogg ? "not an Ogg stream" : "not a WebSocket stream")
        }
        connections[index].counter = counter
        connections[index].tally = tally
        if let pong, connections[index].fd >= 0 {
            _ = pong.withUnsafeBytes { send(connections[index].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        }
        if closedByServer { disconnect(index) }
    }

    private func disconnect(_ index: Int) {
        switch connections[index].phase {
        case .connecting, .awaitingAnswer: opening -= 1
        case .streaming, .closed: break
        }
        if connections[index].fd >= 0 { close(connections[index].fd) }
        connections[index].fd = -1
        connections[index].phase = .closed
    }

    private func fail(_ index: Int, _ reason: String) {
        connections[index].failure = reason
        disconnect(index)
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
