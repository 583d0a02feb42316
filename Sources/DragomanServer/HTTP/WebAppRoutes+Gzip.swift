import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WebAppRoutes {
    /// gzip (RFC 1952) of the web apps' files, made once when the server starts. zlib does the deflating: the
    /// process already links `libz.so.1` (Foundation's networking and NIO's compression bring it), so it is looked
    /// up with `dlopen` rather than declared as a C target. Without it, files are served as they are.
    struct Gzip {
        private typealias Compress2 =
            @convention(c) (
                UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt, Int32
            ) -> Int32
        private typealias CompressBound = @convention(c) (UInt) -> UInt
        private typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt

        private let compress2: Compress2
        private let compressBound: CompressBound
        private let crc32: CRC32

        /// zlib from the process or the system, or nil when it cannot be found.
        static func load() -> Gzip? {
            for name in ["libz.so.1", "libz.so", "libz.dylib"] {
                guard let handle = dlopen(name, RTLD_NOW) else { continue }
                guard let compress2 = dlsym(handle, "compress2"), let bound = dlsym(handle, "compressBound"),
                    let crc32 = dlsym(handle, "crc32")
                else { continue }
                return Gzip(
                    compress2: unsafeBitCast(compress2, to: Compress2.self),
                    compressBound: unsafeBitCast(bound, to: CompressBound.self),
                    crc32: unsafeBitCast(crc32, to: CRC32.self)
                )
            }
            return nil
        }

        /// The gzip member of `input` at zlib's best compression (level 9), or nil if zlib fails.
        func compress(_ input: [UInt8]) -> [UInt8]? {
            var length = compressBound(UInt(input.count))
            var zlibStream = [UInt8](repeating: 0, count: Int(length))
            let status = zlibStream.withUnsafeMutableBufferPointer { out in
                input.withUnsafeBufferPointer { source in
                    compress2(out.baseAddress, &length, source.baseAddress, UInt(input.count), 9)
                }
            }
            // A zlib stream (RFC 1950) is a 2-byte header, the deflate data and an Adler-32: keep the deflate data.
            guard status == 0, length >= 6 else { return nil }
            let crc = UInt32(truncatingIfNeeded: input.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32(input.count)) })
            let size = UInt32(truncatingIfNeeded: input.count)
            var member: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]  // deflate, no name, no time, best, Unix
            member += zlibStream[2..<Int(length) - 4]
            for shift in stride(from: 0, to: 32, by: 8) { member.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
            for shift in stride(from: 0, to: 32, by: 8) { member.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
            return member
        }
    }
}
