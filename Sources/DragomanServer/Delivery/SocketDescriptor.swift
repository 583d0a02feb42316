import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The file descriptor under a plain TCP channel, so that the fan-out can write its frames with one
/// `send` each instead of going through NIO's pipeline and pending-writes machinery.
///
/// NIO offers no public way to it, so it is read by reflection from NIOPosix's socket channel
/// (`BaseSocketChannel.socket`, `BaseSocket.descriptor`) and accepted only if the descriptor's own
/// addresses are the channel's: if a NIO release changes that layout, the lookup fails and the
/// listener stays on the NIO path (a test checks that the direct path is taken).
enum SocketDescriptor {
    static func of(_ channel: any Channel) -> CInt? {
        guard let socket = storedProperty("socket", of: channel), let descriptor = storedProperty("descriptor", of: socket) as? CInt,
            descriptor >= 0, let local = channel.localAddress, let remote = channel.remoteAddress,
            matches(local, getsockname, descriptor), matches(remote, getpeername, descriptor)
        else { return nil }
        return descriptor
    }

    private static func storedProperty(_ name: String, of subject: Any) -> Any? {
        var mirror: Mirror? = Mirror(reflecting: subject)
        while let level = mirror {
            if let child = level.children.first(where: { $0.label == name }) { return child.value }
            mirror = level.superclassMirror
        }
        return nil
    }

    private typealias AddressQuery = (CInt, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> CInt

    /// Whether the socket's address (local or peer, as `query` asks) is `address`.
    private static func matches(_ address: SocketAddress, _ query: AddressQuery, _ descriptor: CInt) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { query(descriptor, $0, &length) }
        }
        guard status == 0 else { return false }
        // Compared as bytes (port, then address), in the layouts of sockaddr_in and sockaddr_in6.
        let found = withUnsafeBytes(of: storage) { Array($0) }
        switch address {
        case .v4(let v4):
            guard storage.ss_family == sa_family_t(AF_INET) else { return false }
            return withUnsafeBytes(of: v4.address) { found[2..<8].elementsEqual($0[2..<8]) }
        case .v6(let v6):
            guard storage.ss_family == sa_family_t(AF_INET6) else { return false }
            return withUnsafeBytes(of: v6.address) { found[2..<4].elementsEqual($0[2..<4]) && found[8..<24].elementsEqual($0[8..<24]) }
        case .unixDomainSocket:
            return false
        }
    }
}
