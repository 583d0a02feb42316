// swift-tools-version:6.1
import PackageDescription

// Every target builds with the upcoming features the Hummingbird project turns on: imports are internal
// unless a module's public API shows the imported types (`public import`), and each file imports what it uses.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Tests read like use: they import what they use, without the stricter member visibility.
let testSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// sherpa-onnx's C API comes from its PyPI wheel (sherpa-onnx-core); scripts/setup links the wheel's folder to
// vendor/sherpa-onnx inside the package. The library path and an rpath to it are linker flags, resolved from wherever
// the package is checked out, so builds, tests and the binary need no environment variables (pkg-config cannot carry
// an rpath). Unsafe flags are fine here: this is the root package.
let sherpaOnnxLib = Context.packageDirectory + "/vendor/sherpa-onnx/lib"

let package = Package(
    name: "dragoman",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dragoman", targets: ["dragoman"]),
        .library(name: "DragomanCore", targets: ["DragomanCore"]),
        .library(name: "DragomanAudio", targets: ["DragomanAudio"]),
        .library(name: "DragomanServer", targets: ["DragomanServer"]),
        .library(name: "DragomanClient", targets: ["DragomanClient"]),
        .library(name: "DragomanSpeech", targets: ["DragomanSpeech"]),
        .library(name: "DragomanServerTesting", targets: ["DragomanServerTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.0.0"..<"5.0.0"),
    ],
    targets: [
        // Domain: events, channels, routing, the wire format. Pure Swift, no I/O.
        // Secrets are kept as hashes (swift-crypto: computation only).
        .target(
            name: "DragomanCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // C libraries, each behind a module map.
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        .systemLibrary(name: "CSherpaOnnx"),
        .systemLibrary(name: "CLinuxIO"),

        // Audio: 20 ms frames, Opus, resampling, limiter, WAV and Ogg/Opus.
        .target(name: "DragomanAudio", dependencies: ["COpus", "CSpeexDSP"], swiftSettings: swiftSettings),

        // Speech: voice activity detection, recognition, language identification, translation, synthesis —
        // small protocols, each with real engines behind it.
        // The HTTP engines (OpenAI-compatible, LibreTranslate, DeepL) go through AsyncHTTPClient; sherpa-onnx and
        // espeak-ng run in process.
        .target(
            name: "DragomanSpeech",
            dependencies: [
                "DragomanCore", "DragomanAudio", "CSherpaOnnx", "CEspeakNG",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-L\(sherpaOnnxLib)", "-Xlinker", "-rpath", "-Xlinker", sherpaOnnxLib])]
        ),

        // Server: HTTP + WebSocket, API, fan-out, persistence, web apps.
        .target(
            name: "DragomanServer",
            dependencies: [
                "DragomanCore", "DragomanAudio", "DragomanSpeech", "CQRencode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Web")],
            swiftSettings: swiftSettings
        ),

        // Clients: floor ingest, listening, load generation, over real sockets.
        .target(
            name: "DragomanClient",
            dependencies: [
                "DragomanCore", "DragomanAudio", "CLinuxIO",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),

        // What the server's tests are written with: a live server on a free port, test clients that wait for
        // what they expect, test signals (the HummingbirdTesting idea).
        .target(
            name: "DragomanServerTesting",
            dependencies: [
                "DragomanServer", "DragomanClient", "DragomanCore", "DragomanAudio",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "dragoman",
            dependencies: [
                "DragomanCore", "DragomanAudio", "DragomanServer", "DragomanClient", "DragomanSpeech",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "DragomanCoreTests", dependencies: ["DragomanCore"], swiftSettings: testSettings),
        .testTarget(name: "DragomanAudioTests", dependencies: ["DragomanAudio"], swiftSettings: testSettings),
        .testTarget(
            name: "DragomanSpeechTests",
            dependencies: [
                "DragomanSpeech", "DragomanAudio", "DragomanCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "DragomanServerTests",
            dependencies: [
                "DragomanServerTesting", "DragomanServer", "DragomanClient", "DragomanCore", "DragomanAudio",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),  // to write a database as an older release left it
            ],
            swiftSettings: testSettings
        ),
    ]
)
