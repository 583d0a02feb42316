internal import COpus

/// An error from the audio layer: a decoder, a parser or a bad argument.
///
/// `message` names the problem in words a technician can act on, e.g.
/// "not a WAV file: expected 'RIFF' at byte 0, found 'ID3\u{3}'".
public struct AudioError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is, for code that reacts to it.
    ///
    /// A struct with static members rather than an enum, so that new codes
    /// can be added without breaking exhaustive `switch`es elsewhere.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name, e.g. `"notWAV"`.
        public let rawValue: String

        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code's name.
        public var description: String { rawValue }

        /// An argument is out of its range (sample rate, channel count, bitrate…).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A buffer does not hold the number of samples or bytes the call needs.
        public static let invalidFrameSize = Code(rawValue: "invalidFrameSize")
        /// libopus reported an error; `opusStatus` holds its code.
        public static let opus = Code(rawValue: "opus")
        /// The bytes are not a RIFF/WAVE file at all.
        public static let notWAV = Code(rawValue: "notWAV")
        /// A required chunk (`fmt `, `data`) or header is absent.
        public static let missingChunk = Code(rawValue: "missingChunk")
        /// The file is well formed but uses an encoding or layout this module does not decode.
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
        /// The input ends inside a header.
        public static let truncated = Code(rawValue: "truncated")
        /// The bytes are not a valid Ogg or Ogg/Opus stream.
        public static let invalidOgg = Code(rawValue: "invalidOgg")
        /// An Ogg page's CRC does not match its contents.
        public static let checksumMismatch = Code(rawValue: "checksumMismatch")
        /// Reading or writing a file failed.
        public static let io = Code(rawValue: "io")
    }

    /// What kind of problem this is.
    public let code: Code
    /// A sentence naming the problem and, where known, what was found instead.
    public let message: String
    /// The libopus status (`OPUS_BAD_ARG`, `OPUS_INVALID_PACKET`, …) when `code` is `.opus`.
    public let opusStatus: Int?

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String, opusStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.opusStatus = opusStatus
    }

    /// The message.
    public var description: String { message }

    /// Wraps a negative libopus return value, naming the call that failed.
    static func opus(_ status: Int32, in call: String) -> AudioError {
        let text = opus_strerror(status).map { String(cString: $0) } ?? "unknown error"
        return AudioError(.opus, "\(call) failed: \(text) (libopus status \(status))", opusStatus: Int(status))
    }
}

/// Renders bytes that should have been ASCII (a chunk id, a magic number) readably:
/// printable ASCII as is, anything else as `\u{…}`, so an error shows e.g. `'ID3\u{3}'`.
func quotedASCII(_ bytes: some Collection<UInt8>) -> String {
    var text = "'"
    for byte in bytes {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "'") && byte != UInt8(ascii: "\\") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            text += "\\u{\(String(byte, radix: 16))}"
        }
    }
    return text + "'"
}
