/// Conversions from float samples to raw PCM bytes, for the PCM fallback, WAV files and clients.
public enum PCMEncoding {
    /// One sample as a 16-bit integer: scaled by 32768, rounded, clamped to -32768…32767
    /// (so +1.0 becomes 32767 rather than wrapping). NaN becomes 0.
    @inlinable
    public static func int16(_ sample: Float) -> Int16 {
        let scaled = (sample * 32768).rounded()
        if scaled >= 32767 { return 32767 }
        if scaled <= -32768 { return -32768 }
        return scaled.isNaN ? 0 : Int16(scaled)
    }

    /// Signed 16-bit little-endian bytes, clamped.
    public static func s16le(_ samples: [Float]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: samples.count * 2) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            for (index, sample) in samples.enumerated() {
                raw.storeBytes(of: int16(sample).littleEndian, toByteOffset: 2 * index, as: Int16.self)
            }
            initialized = samples.count * 2
        }
    }

    /// 32-bit little-endian float bytes, unchanged.
    public static func f32le(_ samples: [Float]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: samples.count * 4) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            for (index, sample) in samples.enumerated() {
                raw.storeBytes(of: sample.bitPattern.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
            }
            initialized = samples.count * 4
        }
    }
}
