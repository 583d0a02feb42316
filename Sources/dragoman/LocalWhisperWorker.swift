import DragomanServer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Whisper worker that scripts/setup installs (workers/whisper/worker.py and the models in vendor/whisper),
/// as `serve` starts it when no --whisper-url is given.
struct LocalWhisperWorker {
    static let script = "workers/whisper/worker.py"
    static let modelsFolder = "vendor/whisper"
    /// The models it loads when present, the default first.
    static let models = ["base", "tiny.en"]

    var scriptPath: String
    var modelsPath: String
    var present: [String]
    var python: String

    /// The worker, if its script, Python and at least the default model are installed.
    static func find() -> LocalWhisperWorker? {
        guard let scriptPath = InstallFolders.find(script),
            let python = pythonOnPath()
        else { return nil }
        let folder = URL(fileURLWithPath: scriptPath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let modelsPath = folder.appendingPathComponent(modelsFolder).path
        let present = models.filter { FileManager.default.fileExists(atPath: "\(modelsPath)/\($0)/model.bin") }
        guard present.first == models.first else { return nil }
        return LocalWhisperWorker(scriptPath: scriptPath, modelsPath: modelsPath, present: present, python: python)
    }

    /// The `python3` a shell would run (scripts/setup installs the worker's packages for that one).
    static func pythonOnPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }.first(where: FileManager.default.isExecutableFile)
    }

    func engine(port: Int) -> LocalEngine {
        LocalEngine(
            name: "the Whisper worker",
            executable: python,
            arguments: [scriptPath, "--host", "127.0.0.1", "--port", String(port), "--models-dir", modelsPath, "--exit-with-parent"]
                + present.flatMap { ["--model", $0] }
        )
    }

    /// A loopback port free now (the kernel's pick), for the worker to listen on.
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalWorkerError("no socket for a free port: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw LocalWorkerError("no free loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct LocalWorkerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
