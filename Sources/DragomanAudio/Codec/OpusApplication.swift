internal import COpus

/// The libopus coding mode, chosen once when an encoder is created.
public enum OpusApplication: String, Sendable, CaseIterable {
    /// Best for speech intelligibility at low bitrates (`OPUS_APPLICATION_VOIP`).
    case voip
    /// Best fidelity to the input, music included (`OPUS_APPLICATION_AUDIO`).
    case audio
    /// CELT only, lowest algorithmic delay (`OPUS_APPLICATION_RESTRICTED_LOWDELAY`).
    case restrictedLowDelay

    var opusValue: Int32 {
        switch self {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
    }
}
