import DragomanCore
import Foundation
import Hummingbird

/// `GET /metrics`: the server's health in the Prometheus text format (version 0.0.4), for
/// Prometheus, the benchmark and the organizer's dashboard.
///
/// It names every live event's join code, so it needs the organizer token, as Prometheus sends it
/// (`Authorization: Bearer …`, or `?token=…`).
struct MetricsRoute: Sendable {
    let events: LiveEvents
    var organizerToken: String = ""
    var admission: ConnectionAdmission? = nil
    var lockout: CredentialLockout? = nil

    func register(on router: some RouterMethods<VenueRequestContext>) {
        router.get("metrics") { request, _ in
            let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard let token = bearer ?? request.uri.queryParameters.get("token").map { String($0) }, constantTimeEquals(token, organizerToken)
            else {
                throw APIError(.unauthorized, "/metrics needs the organizer token: send 'Authorization: Bearer <token>'.")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: render()))
            )
        }
    }

    func render() -> String {
        var text = MetricsText()
        let live = events.liveEvents
        text.family("dragoman_listeners", "gauge", "WebSocket listeners per channel.")
        for event in live {
            for (channel, stats) in event.allStatistics { text.sample("dragoman_listeners", event, channel, Double(stats.listeners)) }
        }
        text.family(
            "dragoman_listeners_direct",
            "gauge",
            "WebSocket listeners per channel whose frames are sent straight to their socket (plain connections)."
        )
        for event in live {
            for (channel, stats) in event.allStatistics { text.sample("dragoman_listeners_direct", event, channel, Double(stats.directListeners)) }
        }
        text.family("dragoman_stream_listeners", "gauge", "Ogg/Opus fallback stream listeners per channel.")
        for event in live {
            for (channel, stats) in event.allStatistics { text.sample("dragoman_stream_listeners", event, channel, Double(stats.streamListeners)) }
        }
        text.family("dragoman_packets_sent_total", "counter", "20 ms packets published per channel (each goes to every listener of the channel).")
        for event in live {
            for (channel, stats) in event.allStatistics { text.sample("dragoman_packets_sent_total", event, channel, Double(stats.packetsSent)) }
        }
        text.family(
            "dragoman_packets_dropped_total",
            "counter",
            "Packets dropped for listeners that did not read fast enough (each listener's drops count)."
        )
        for event in live {
            for (channel, stats) in event.allStatistics {
                text.sample("dragoman_packets_dropped_total", event, channel, Double(stats.droppedPackets))
            }
        }
        text.family(
            "dragoman_rate_limited_total",
            "counter",
            "Requests refused (or, for floor-language changes, held) for coming too fast, by kind."
        )
        for event in live {
            for (kind, count) in event.rateLimitedCounts.sorted(by: { $0.key < $1.key }) {
                text.line("dragoman_rate_limited_total{event=\"\(event.definition.code)\",kind=\"\(kind)\"} \(count)")
            }
        }
        text.family("dragoman_floor_live", "gauge", "1 while someone publishes the floor of the event.")
        for event in live { text.line("dragoman_floor_live{event=\"\(event.definition.code)\"} \(event.isFloorLive ? 1 : 0)") }

        text.family("dragoman_processing_delay_milliseconds", "histogram", "Floor audio in to packet built (resampling, limiter, Opus), per channel.")
        for event in live {
            for (channel, histogram) in event.processingHistograms {
                let labels = "event=\"\(event.definition.code)\",channel=\"\(channel)\""
                var cumulative = 0
                for (index, bound) in DelayHistogram.bounds.enumerated() {
                    cumulative += histogram.counts[index]
                    text.line("dragoman_processing_delay_milliseconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)")
                }
                text.line("dragoman_processing_delay_milliseconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)")
                text.line("dragoman_processing_delay_milliseconds_sum{\(labels)} \(histogram.sum)")
                text.line("dragoman_processing_delay_milliseconds_count{\(labels)} \(histogram.count)")
            }
        }

        if let process = ProcessStatus.current() {
            text.family("process_cpu_seconds_total", "counter", "User and system CPU time of the server.")
            text.line("process_cpu_seconds_total \(process.cpuSeconds)")
            text.family("process_resident_memory_bytes", "gauge", "Resident memory of the server.")
            text.line("process_resident_memory_bytes \(process.residentBytes)")
            text.family("process_open_fds", "gauge", "Open file descriptors (every listener is one).")
            text.line("process_open_fds \(process.openFiles)")
        }
        if let admission {
            text.family("dragoman_connections_open", "gauge", "Open connections (HTTP and WebSocket).")
            text.line("dragoman_connections_open \(admission.open)")
            text.family("dragoman_connections_limit", "gauge", "The most connections admitted at once.")
            text.line("dragoman_connections_limit \(admission.limit)")
            text.family("dragoman_connections_refused_total", "counter", "Connections refused because the server was full.")
            text.line("dragoman_connections_refused_total \(admission.refused)")
        }
        if let lockout {
            text.family("dragoman_locked_out_attempts_total", "counter", "Credential attempts refused because their address was locked out.")
            text.line("dragoman_locked_out_attempts_total \(lockout.lockedOutAttempts)")
        }
        return text.output
    }
}

/// Builds the text exposition format line by line.
private struct MetricsText {
    var output = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ event: LiveEvent, _ channel: ChannelID, _ value: Double) {
        line("\(name){event=\"\(event.definition.code)\",channel=\"\(channel)\"} \(value)")
    }

    mutating func line(_ text: String) {
        output += text + "\n"
    }
}

/// The server process's CPU time, memory and open files, from /proc/self.
struct ProcessStatus {
    var cpuSeconds: Double
    var residentBytes: Int
    var openFiles: Int

    static func current() -> ProcessStatus? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 22, let utime = Double(fields[11]), let stime = Double(fields[12]), let rssPages = Int(fields[21]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStatus(cpuSeconds: (utime + stime) / ticks, residentBytes: rssPages * pageSize, openFiles: openFiles)
    }
}
