import Foundation
import NIOCore
import Testing

@testable import DragomanServer

struct WebAppRoutesTests {
    @Test func gzipIsAcceptedUnlessRefused() {
        #expect(WebAppRoutes.acceptsGzip("gzip, deflate, br"))
        #expect(WebAppRoutes.acceptsGzip("br;q=1.0, GZIP;q=0.5"))
        #expect(WebAppRoutes.acceptsGzip("x-gzip"))
        #expect(!WebAppRoutes.acceptsGzip("gzip;q=0"))
        #expect(!WebAppRoutes.acceptsGzip("br, deflate"))
        #expect(!WebAppRoutes.acceptsGzip("gzipped"))
        #expect(!WebAppRoutes.acceptsGzip(nil))
    }

    @Test func ifNoneMatchComparesWeaklyAndAcceptsAStar() {
        #expect(WebAppRoutes.matches(ifNoneMatch: #""abc""#, etag: #""abc""#))
        #expect(WebAppRoutes.matches(ifNoneMatch: #""x", W/"abc""#, etag: #""abc""#))
        #expect(WebAppRoutes.matches(ifNoneMatch: "*", etag: #""abc""#))
        #expect(!WebAppRoutes.matches(ifNoneMatch: #""abc-gz""#, etag: #""abc""#))
        #expect(!WebAppRoutes.matches(ifNoneMatch: nil, etag: #""abc""#))
    }

    /// Every text file is gzipped at start into a valid member (magic, method, size trailer) smaller than the file,
    /// and two different files have different ETags.
    @Test func textFilesAreGzippedOnceWithTheirOwnETags() throws {
        let routes = try WebAppRoutes()
        let script = try #require(routes.files["listener/listener.js"])
        let gzipped = try #require(script.gzipped)
        let bytes = gzipped.getBytes(at: gzipped.readerIndex, length: gzipped.readableBytes) ?? []
        #expect(Array(bytes.prefix(3)) == [0x1f, 0x8b, 8])
        let size = bytes.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(size == script.bytes.readableBytes)
        #expect(gzipped.readableBytes < script.bytes.readableBytes / 2)
        #expect(routes.files["icon-512.png"]?.gzipped == nil)
        #expect(script.etag != routes.files["listener/listener.html"]?.etag)
        #expect(script.etag.hasPrefix("\"") && script.etag.hasSuffix("\""))
    }
}
