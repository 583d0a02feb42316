#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A level meter as a console shows it: the peak jumps up at once and falls back at a fixed
/// rate (20 dB per second), so a short shout stays visible long enough to be seen.
public struct PeakMeter: Equatable, Sendable {
    /// The level shown for silence, in dBFS.
    public static let floorDB = -120.0
    /// How fast the held peak falls, in dB per second.
    public static let fallPerSecond = 20.0

    private var heldDB = PeakMeter.floorDB
    private var heldAtMicros: UInt64 = 0

    public init() {}

    /// Records the peak of a frame, in dBFS, at time `micros`.
    public mutating func record(peakDB: Double, at micros: UInt64) {
        heldDB = max(peakDB, level(at: micros))
        heldAtMicros = micros
    }

    /// The level to show at time `micros`.
    public func level(at micros: UInt64) -> Double {
        let elapsed = micros > heldAtMicros ? Double(micros - heldAtMicros) / 1_000_000 : 0
        return max(Self.floorDB, heldDB - Self.fallPerSecond * elapsed)
    }

    /// The peak of `samples` (−1…1) in dBFS.
    public static func peakDB(_ samples: [Float]) -> Double {
        var peak: Float = 0
        for sample in samples { peak = max(peak, abs(sample)) }
        return peak > 0 ? max(floorDB, 20 * log10(Double(peak))) : floorDB
    }
}
