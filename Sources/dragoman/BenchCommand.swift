import ArgumentParser
import DragomanClient
import DragomanCore
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Load-test a running server: N listeners over real WebSockets, a floor at real-time pace; prints delay percentiles, loss and server CPU/memory.",
        discussion: """
            Example (server in another terminal, started with --organizer-token T):
              dragoman bench --token T --listeners 1000 --server-pid $(pgrep -f 'dragoman serve')
            """
    )

    @Option(help: "Server address (plain HTTP).")
    var server = "http://127.0.0.1:8080"
    @Option(help: "Organizer token, to create the benchmark event (or give --event and --floor-token).")
    var token: String?
    @Option(help: "Use this existing event instead of creating one.")
    var event: String?
    @Option(help: "The floor token of --event.")
    var floorToken: String?
    @Option(help: "Listen on this Icecast mount (fed from the event's floor by `dragoman icecast`) instead of Dragoman's WebSocket.")
    var icecastMount: String?
    @Option(help: "The timing log that `dragoman icecast --timing-log` writes, to measure delays through Icecast.")
    var icecastTimingLog: String?
    @Option(help: "Simulated listeners.")
    var listeners = 100
    @Option(help: "Listeners that timestamp every packet (the others read in bulk, like idle phones).")
    var probes = 20
    @Option(help: "Seconds to run before measuring.")
    var warmup = 2.0
    @Option(help: "Seconds to measure.")
    var duration = 10.0
    @Option(help: "Process id of the server, to sample its CPU and memory.")
    var serverPID: Int32?
    @Flag(help: "Drop every listener halfway and measure how long until all of them play again.")
    var reconnectStorm = false
    @Option(help: "How often the cheap listeners read their sockets, in milliseconds.")
    var readInterval = 100
    @Option(help: "Listeners opening their connection at once before measuring (0: all at once, the default).")
    var connectAtOnce = 0
    @Option(help: "Write the result as JSON to this file.")
    var json: String?

    func run() async throws {
        ResourceLimits.raiseOpenFiles()
        let address = try ServerAddress(server)
        let code: String
        let floorToken: String
        if let event, let given = self.floorToken {
            (code, floorToken) = (event, given)
        } else if let token {
            let created = try await EventAdmin(server: address, token: token).create(name: "Benchmark", languages: ["en"], pin: nil)
            guard let object = try JSONSerialization.jsonObject(with: created) as? [String: Any],
                let createdCode = object["code"] as? String, let createdToken = object["floorToken"] as? String
            else { throw CommandFailure("the server's answer to creating the benchmark event is not understood") }
            (code, floorToken) = (createdCode, createdToken)
        } else {
            throw ValidationError("give --token (to create a benchmark event) or --event and --floor-token")
        }
        var options = LoadGenerator.Options(
            server: address,
            event: code,
            floorToken: floorToken,
            listeners: listeners,
            probes: probes,
            warmup: warmup,
            duration: duration,
            serverPID: serverPID,
            reconnectStorm: reconnectStorm,
            readIntervalMs: readInterval
        )
        options.connectingAtOnce = connectAtOnce
        if let icecastMount {
            guard let mount = URL(string: icecastMount), let log = icecastTimingLog else {
                throw ValidationError("--icecast-mount needs a URL like http://127.0.0.1:8000/bench.ogg and --icecast-timing-log")
            }
            options = .icecast(options, mount: mount, timingLog: log, icecastPID: serverPID)
        }
        let result = try await LoadGenerator(options: options).run { message in
            FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
        }
        func f(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }
        let d = result.delayMs
        say(
            """
            listeners  \(result.listeners) (\(result.probes) probes), measured \(f(result.seconds)) s, \(f(result.packetsPerListener)) packets per listener
            delay ms   p50 \(f(d.p50))  p90 \(f(d.p90))  p99 \(f(d.p99))  p99.9 \(f(d.p999))  max \(f(d.max))   (\(d.count) samples)
            loss       \(result.lost) packets lost, \(result.listenersWithLoss) listeners with loss, \(result.failedConnections) failed connections
            connect    p50 \(f(result.connectMs.p50)) ms  p99 \(f(result.connectMs.p99)) ms; first audio p50 \(f(result.firstAudioMs.p50)) ms  p99 \(f(result.firstAudioMs.p99)) ms
            server     CPU \(f(result.serverCPUPercent)) % of one core, RSS \(f(result.serverRSSMiB)) MiB, \(result.serverCPUMicrosPerListenerPacket.map { String(format: "%.2f", $0) } ?? "–") µs CPU per listener-packet, \(f(result.serverKernelSharePercent)) % of it in the kernel
            bench      CPU \(f(result.benchCPUPercent)) % of one core (the load generator shares the machine)
            """
        )
        for (reason, count) in result.failureReasons.sorted(by: { $0.value > $1.value }).prefix(3) {
            say("failed     \(count)× \(reason)")
        }
        if let recovery = result.stormRecoverySeconds {
            say("storm      all dropped at once: \(result.stormRecovered ?? 0)/\(result.listeners) playing again, the last after \(f(recovery)) s")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: json))
        }
    }
}
