import DragomanCore
import Foundation

/// Where an event's recordings live: `<data folder>/recordings/<CODE>/<channel>-<UTC start>.opus`, one file per
/// channel and recording session, and `booth.<language>-<UTC start>.opus` for each booth's microphone track. The
/// files are the record: a restart finds them by listing the folder.
struct RecordingFolder: Sendable {
    let root: URL

    /// One recorded file, as the organizer sees it.
    struct Recording: Sendable, Encodable, Equatable {
        var file: String
        var channel: String
        /// `channel`: what the channel's listeners heard; `booth`: the booth's microphone as it went on air.
        var track: Track
        /// When it started, ISO 8601 UTC.
        var startedAt: String
        var bytes: Int
        /// The audio it holds up to its last whole page, s.
        var seconds: Double
    }

    /// What a file records.
    enum Track: String, Sendable, Encodable {
        case channel
        case booth
    }

    func folder(of code: JoinCode) -> URL { root.appendingPathComponent(code.value, isDirectory: true) }

    /// A new file for `channel` (or, for `.booth`, its booth's microphone), named after the start time. The recorder
    /// makes the folder, so that a full disk is reported where the recording stops.
    func newFile(for channel: ChannelID, track: Track = .channel, of code: JoinCode, at micros: UInt64) -> URL {
        let folder = folder(of: code)
        let prefix = track == .booth ? Self.boothPrefix : ""
        return folder.appendingPathComponent("\(prefix)\(channel)-\(Self.stamp(micros)).opus")
    }

    static let boothPrefix = "booth."

    /// The event's recordings, oldest first, then by channel.
    func recordings(of code: JoinCode, preSkip: Int) -> [Recording] {
        let folder = folder(of: code)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".opus") }.sorted { ($0.split(separator: "-").last ?? "", $0) < ($1.split(separator: "-").last ?? "", $1) }
            .compactMap { name in
                let url = folder.appendingPathComponent(name)
                guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int,
                    let parsed = Self.parse(name)
                else { return nil }
                let granule = Self.lastGranule(of: url) ?? 0
                return Recording(
                    file: name,
                    channel: parsed.channel,
                    track: parsed.track,
                    startedAt: parsed.startedAt,
                    bytes: size,
                    seconds: (Double(max(0, granule - Int64(preSkip))) / 48000 * 100).rounded() / 100
                )
            }
    }

    /// The file named `name` of the event, if it is one of its recordings (no path tricks).
    func file(named name: String, of code: JoinCode) -> URL? {
        guard Self.parse(name) != nil, !name.contains("/"), !name.hasPrefix(".") else { return nil }
        let url = folder(of: code).appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The transcript and the log of one recording, from the log beside it: nil when there is no such recording.
    func transcript(of name: String, code: JoinCode) -> (export: TranscriptExport, events: [[String: Any]], start: UInt64)? {
        guard let audio = file(named: name, of: code), let parsed = Self.parse(name),
            let text = try? String(contentsOf: ChannelRecorder.logFile(of: audio), encoding: .utf8)
        else { return nil }
        var start: UInt64 = 0
        var captions: [ControlMessages.Caption] = []
        var events: [[String: Any]] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }  // a cut last line
            if let begun = object["start"] as? NSNumber, object["recording"] != nil {
                start = begun.uint64Value
                continue
            }
            guard let message = object["message"] as? [String: Any], let at = object["at"] as? NSNumber else { continue }
            if message["type"] as? String == "caption", let data = try? JSONSerialization.data(withJSONObject: message),
                let caption = try? JSONDecoder().decode(ControlMessages.Caption.self, from: data)
            {
                captions.append(caption)
            } else {
                events.append(["at": Double(at.uint64Value.subtractingClamped(start)) / 1e6, "message": message])
            }
        }
        return (TranscriptExport(channel: parsed.channel, captions: captions, recordingStart: start), events, start)
    }

    /// Deletes the event's recordings (audio and log) that started before `date`; returns how many files went.
    func deleteRecordings(of code: JoinCode, startedBefore date: Date) -> Int {
        let folder = folder(of: code)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let formatter = ISO8601DateFormatter()
        var deleted = 0
        for name in names where name.hasSuffix(".opus") {
            guard let started = Self.parse(name).flatMap({ formatter.date(from: $0.startedAt) }), started < date else { continue }
            let audio = folder.appendingPathComponent(name)
            for file in [audio, ChannelRecorder.logFile(of: audio)] where (try? FileManager.default.removeItem(at: file)) != nil {
                deleted += 1
            }
        }
        return deleted
    }

    /// Deletes every recording of the event; returns how many files went.
    func deleteAll(of code: JoinCode) throws -> Int {
        let folder = folder(of: code)
        let count = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).count
        if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
        return count
    }

    /// `ru-20261130T171500Z.vtt` → (`ru-20261130T171500Z.opus`, `vtt`); nil for the audio itself.
    static func transcriptRequest(_ name: String) -> (audio: String, format: String)? {
        for format in ["vtt", "srt", "txt", "json"] where name.hasSuffix(".\(format)") {
            return (String(name.dropLast(format.count + 1)) + ".opus", format)
        }
        return nil
    }

    static func stamp(_ micros: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(micros) / 1e6))
    }

    /// `ru-20261130T171500Z.opus` → ("ru", .channel, "2026-11-30T17:15:00Z"); `booth.ru-…` → ("ru", .booth, …).
    static func parse(_ name: String) -> (channel: String, track: Track, startedAt: String)? {
        guard name.hasSuffix(".opus"), let dash = name.lastIndex(of: "-") else { return nil }
        var channel = String(name[..<dash])
        let track: Track = channel.hasPrefix(boothPrefix) ? .booth : .channel
        if track == .booth { channel.removeFirst(boothPrefix.count) }
        let stamp = name[name.index(after: dash)...].dropLast(5)
        guard ChannelID(channel) != nil, stamp.count == 16 else { return nil }
        let s = Array(stamp)
        let iso = "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T\(String(s[9..<11])):\(String(s[11..<13])):\(String(s[13..<15]))Z"
        return (channel, track, iso)
    }

    /// The granule position of the file's last page: how much audio it holds (pre-skip included).
    static func lastGranule(of url: URL) -> Int64? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let tail = min(size, 70_000)  // a page is at most 65,307 bytes
        try? handle.seek(toOffset: size - tail)
        guard let data = try? handle.readToEnd() else { return nil }
        let bytes = [UInt8](data)
        var index = bytes.count - 27
        while index >= 0 {
            if bytes[index] == 0x4F, bytes[index + 1] == 0x67, bytes[index + 2] == 0x67, bytes[index + 3] == 0x53 {
                let segments = Int(bytes[index + 26])
                let headerEnd = index + 27 + segments
                if headerEnd <= bytes.count {
                    let body = bytes[(index + 27)..<headerEnd].reduce(0) { $0 + Int($1) }
                    if headerEnd + body <= bytes.count {  // only a whole page counts
                        var granule: Int64 = 0
                        for offset in (0..<8).reversed() { granule = granule << 8 | Int64(bytes[index + 6 + offset]) }
                        if granule >= 0 { return granule }
                    }
                }
            }
            index -= 1
        }
        return nil
    }
}

extension UInt64 {
    fileprivate func subtractingClamped(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
