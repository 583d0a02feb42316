import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Testing

@testable import DragomanServer

/// The server's WebSocket stack for sessions (`VenueChildChannel`, the connection guard in front)
/// against the Autobahn test suite's fuzzing client, the reference peer of RFC 6455, with an echo
/// handler as the suite expects. Framing, fragmentation, control frames, UTF-8 and the closing
/// handshake: every case must end OK, non-strict or informational, none failed.
///
/// The suite runs on Python 2.7 (`scripts/setup` installs `autobahntestsuite` there); cases 9
/// (throughput), 12 and 13 (compression, which the server does not offer) are left out.
struct WebSocketConformanceTests {
    /// `vendor/python2.7`, linked by `scripts/setup` to a Python 2.7 that has the suite.
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("vendor/python2.7").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs Python 2.7 with autobahntestsuite (scripts/setup)"))
    func autobahnFindsNoFailure() async throws {
        let port = try await withThrowingTaskGroup(of: Void.self) { group -> [String: [String: String]] in
            let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
            group.addTask { try await Self.echoServer(onPort: portReady) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let report = try await Self.runAutobahn(port: port)
            group.cancelAll()
            return report
        }
        let verdicts = port.mapValues { "\($0["behavior"] ?? "?")/\($0["behaviorClose"] ?? "?")" }
        let failed = verdicts.filter { $0.value.contains("FAILED") || $0.value.contains("?") }
        print("Autobahn: \(verdicts.count) cases; \(Dictionary(grouping: verdicts.values, by: { $0 }).mapValues(\.count))")
        #expect(verdicts.count > 200, "the suite ran")
        #expect(failed.isEmpty, "failed cases: \(failed.sorted { $0.key < $1.key })")
    }

    /// An echo server on the same child channel as `VenueServer`'s; reports its port once bound.
    static func echoServer(onPort port: AsyncStream<Int>.Continuation) async throws {
        let webSocket = WebSocketServerConfiguration(maxFrameSize: 1 << 24, validateUTF8: true)
        let admission = ConnectionAdmission(limit: 1000)
        let server = HTTPServerBuilder { responder in
            VenueChildChannel(responder: responder, webSocket: webSocket, admission: admission) { _, _, _ in
                .session { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        switch message {
                        case .text(let text): try await outbound.write(.text(text))
                        case .binary(let bytes): try await outbound.write(.binary(bytes))
                        }
                    }
                }
            }
        }
        var logger = Logger(label: "autobahn-echo")
        logger.logLevel = .critical
        let app = Application(
            router: Router(),
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await app.runService()
    }

    /// Runs the fuzzing client against `port`; returns each case's verdicts.
    static func runAutobahn(port: Int) async throws -> [String: [String: String]] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autobahn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec: [String: Any] = [
            "outdir": folder.appendingPathComponent("report").path,
            "servers": [["agent": "dragoman", "url": "ws://127.0.0.1:\(port)"]],
            "cases": ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"],
            "exclude-cases": [],
            "exclude-agent-cases": [:],
        ]
        let specFile = folder.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "autobahntestsuite.wstest", "-m", "fuzzingclient", "-s", specFile.path]
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("wstest.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
        try handle.close()
        let index = folder.appendingPathComponent("report/index.json")
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: index) else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw AutobahnError(description: "wstest exited \(process.terminationStatus):\n\(text.suffix(3000))")
        }
        let report = try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]]
        return (report?["dragoman"] ?? [:]).mapValues { $0.compactMapValues { $0 as? String } }
    }

    struct AutobahnError: Error, CustomStringConvertible {
        let description: String
    }
}
