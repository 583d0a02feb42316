// Little-endian field access for the binary headers of WAV, Ogg and Opus,
// which are all little-endian regardless of the machine.

extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendLE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func appendASCII(_ text: String) { append(contentsOf: text.utf8) }

    mutating func setLE(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index)) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// The unsigned little-endian integer of `width` bytes at `offset` (caller checks bounds).
    func readLE(_ offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<width).reversed() { value = value << 8 | UInt64(self[offset + index]) }
        return value
    }

    func readLE16(_ offset: Int) -> UInt16 { UInt16(readLE(offset, width: 2)) }
    func readLE32(_ offset: Int) -> UInt32 { UInt32(readLE(offset, width: 4)) }
    func readLE64(_ offset: Int) -> UInt64 { readLE(offset, width: 8) }

    /// Whether the bytes at `offset` spell `ascii`.
    func matches(_ ascii: String, at offset: Int) -> Bool {
        let expected = Array(ascii.utf8)
        guard offset >= startIndex, offset + expected.count <= endIndex else { return false }
        return self[offset..<(offset + expected.count)].elementsEqual(expected)
    }
}
