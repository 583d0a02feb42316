/// A channel's transcript from its final caption lines, timed from the start of its recording, in the formats
/// people ask for after a meeting: WebVTT (players, browsers), SubRip (editors), plain text, and JSON.
public struct TranscriptExport: Sendable, Equatable {
    /// One line of the transcript.
    public struct Line: Sendable, Equatable, Codable {
        /// From the start of the recording, s.
        public var start: Double
        public var end: Double
        public var text: String
        public var language: String?
        /// `floor` (what the floor said) or `machine` (machine translation).
        public var source: String

        public init(start: Double, end: Double, text: String, language: String?, source: String) {
            self.start = start
            self.end = end
            self.text = text
            self.language = language
            self.source = source
        }
    }

    public var channel: String
    public var lines: [Line]

    /// The final lines of `captions`, in time order, timed from `recordingStart` (µs); lines from before the
    /// recording started are left out, and partial lines never appear.
    public init(channel: String, captions: [ControlMessages.Caption], recordingStart: UInt64) {
        self.channel = channel
        self.lines = captions.filter { $0.final && $0.end > recordingStart && !$0.text.isEmpty }
            .sorted { $0.start < $1.start }
            .map { caption in
                Line(
                    start: Double(caption.start > recordingStart ? caption.start - recordingStart : 0) / 1e6,
                    end: Double(caption.end - recordingStart) / 1e6,
                    text: caption.text,
                    language: caption.language,
                    source: caption.source
                )
            }
    }

    public var webVTT: String {
        "WEBVTT\n\n"
            + lines.map { "\(Self.time($0.start, separator: ".")) --> \(Self.time($0.end, separator: "."))\n\(Self.oneLine($0.text))\n" }.joined(
                separator: "\n"
            )
    }

    public var subRip: String {
        lines.enumerated().map { index, line in
            "\(index + 1)\n\(Self.time(line.start, separator: ",")) --> \(Self.time(line.end, separator: ","))\n\(Self.oneLine(line.text))\n"
        }.joined(separator: "\n")
    }

    /// One line per caption, with its time: `[00:01:02] text`.
    public var plainText: String {
        lines.map { "[\(Self.time($0.start, separator: ".").prefix(8))] \($0.text)" }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// `hh:mm:ss.mmm` (WebVTT) or `hh:mm:ss,mmm` (SubRip).
    static func time(_ seconds: Double, separator: String) -> String {
        let millis = Int((max(0, seconds) * 1000).rounded())
        let (h, m, s, ms) = (millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let three = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(two(h)):\(two(m)):\(two(s))\(separator)\(three)"
    }

    /// A cue's text on one line: a blank line would end the cue, and `-->` would start a new one.
    static func oneLine(_ text: String) -> String {
        let joined = Array(text.split(whereSeparator: \.isNewline).joined(separator: " "))
        var out = ""
        var index = 0
        while index < joined.count {
            if index + 2 < joined.count, joined[index] == "-", joined[index + 1] == "-", joined[index + 2] == ">" {
                out.append("→")
                index += 3
            } else {
                out.append(joined[index])
                index += 1
            }
        }
        return out
    }
}
