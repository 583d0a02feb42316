/// How raw PCM bytes on the wire encode samples; the floor publisher announces one.
public enum PCMSampleFormat: String, Sendable, CaseIterable {
    /// Signed 16-bit little-endian integers.
    case s16le
    /// 32-bit little-endian IEEE floats.
    case f32le

    /// Bytes per sample (per channel).
    public var bytesPerSample: Int {
        switch self {
        case .s16le: 2
        case .f32le: 4
        }
    }

    /// Decodes bytes into float samples; a trailing partial sample is ignored.
    ///
    /// 16-bit values are scaled by 1/32768, so -32768 becomes -1 exactly.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> [Float] {
        let count = bytes.count / bytesPerSample
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .s16le:
                for index in 0..<count {
                    let value = Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self))
                    out[index] = Float(value) * (1 / 32768)
                }
            case .f32le:
                for index in 0..<count {
                    let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                    out[index] = Float(bitPattern: bits)
                }
            }
            initialized = count
        }
    }

    /// Decodes bytes into float samples; a trailing partial sample is ignored.
    public func decode(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Encodes float samples as bytes in this format (16-bit is clamped and rounded).
    public func encode(_ samples: [Float]) -> [UInt8] {
        switch self {
        case .s16le: PCMEncoding.s16le(samples)
        case .f32le: PCMEncoding.f32le(samples)
        }
    }
}
