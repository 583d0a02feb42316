/// The Ogg page checksum: CRC-32 with polynomial 0x04C11DB7, no bit reflection,
/// initial value 0 and no final XOR (RFC 3533 §6), computed with the CRC field zeroed.
enum OggCRC {
    // One byte at a time through a 256-entry table: simple, and fast enough for one page per 20 ms.
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index) << 24
        for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
        return crc
    }

    /// Continues `crc` over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(byte))] }
        }
        return crc
    }

    /// The checksum of a whole page whose CRC field (bytes 22–25) may hold anything: it counts as zero.
    static func checksum(ofPage page: UnsafeRawBufferPointer) -> UInt32 {
        let zeros: [UInt8] = [0, 0, 0, 0]
        var crc = update(0, UnsafeRawBufferPointer(rebasing: page[..<22]))
        crc = zeros.withUnsafeBytes { update(crc, $0) }
        return update(crc, UnsafeRawBufferPointer(rebasing: page[26...]))
    }
}
