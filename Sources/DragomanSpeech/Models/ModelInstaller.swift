import Crypto
public import Foundation

/// Installs a known model from a copy the user has (a file, or a folder with the model's files) into the install
/// folder, after checking every file's SHA-256: a truncated download or another model under the same name is
/// refused with both checksums, and nothing is changed.
public struct ModelInstaller: Sendable {
    /// The folder models go under (the repository's `vendor/` when the server runs from a checkout).
    public var folder: URL

    public init(folder: URL) { self.folder = folder }

    /// Where `model` is, or would be, installed.
    public func location(of model: KnownModel) -> URL { folder.appendingPathComponent(model.destination) }

    /// Whether every file of `model` is in place (sizes and names only: `verify` reads them).
    public func isInstalled(_ model: KnownModel) -> Bool {
        paths(of: model, in: location(of: model)).allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The problems of the installed copy of `model`, one line each; empty when every file is there and matches.
    public func verify(_ model: KnownModel) throws -> [String] {
        try zip(model.files, paths(of: model, in: location(of: model))).compactMap { file, path in
            guard FileManager.default.fileExists(atPath: path.path) else { return "\(path.path) is missing" }
            guard let expected = file.sha256 else { return nil }
            let actual = try Self.sha256(of: path)
            return actual == expected ? nil : "\(path.path) has SHA-256 \(actual), expected \(expected)"
        }
    }

    /// Checks the copy at `source` and installs it; returns where it went.
    ///
    /// - Parameter expectedSHA256: for a one-file model whose checksum Dragoman does not know, the one its source
    ///   publishes.
    /// - Throws: `ModelInstallError` naming the file and both checksums when a file does not match, the missing
    ///   file when the copy is incomplete.
    public func install(_ model: KnownModel, from source: URL, expectedSHA256: String? = nil) throws -> URL {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isFolder) else {
            throw ModelInstallError("\(source.path) does not exist")
        }
        if model.isSingleFile == isFolder.boolValue {
            let wanted = model.isSingleFile ? "the file \(model.files[0].name)" : "a folder with \(model.files.map(\.name).joined(separator: ", "))"
            throw ModelInstallError("\(model.id) is installed from \(wanted); \(source.path) is not one")
        }
        let sources = model.isSingleFile ? [source] : model.files.map { source.appendingPathComponent($0.name) }
        for (file, path) in zip(model.files, sources) {
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw ModelInstallError("\(path.path) is missing: \(model.id) needs \(model.files.map(\.name).joined(separator: ", "))")
            }
            guard let expected = (file.sha256 ?? expectedSHA256)?.lowercased() else {
                throw ModelInstallError("Dragoman does not know the SHA-256 of \(file.name): give the one its source publishes (--sha256)")
            }
            let actual = try Self.sha256(of: path)
            guard actual == expected else {
                throw ModelInstallError(
                    "\(path.path) has SHA-256 \(actual), but \(model.id)'s \(file.name) has \(expected): not the right file, or damaged; nothing was installed"
                )
            }
        }
        let destination = location(of: model)
        let targets = paths(of: model, in: destination)
        try FileManager.default.createDirectory(at: targets[0].deletingLastPathComponent(), withIntermediateDirectories: true)
        for (path, target) in zip(sources, targets) {
            // Copy beside the target, then rename: a model in use is never seen half written.
            let part = target.appendingPathExtension("part")
            try? FileManager.default.removeItem(at: part)
            try FileManager.default.copyItem(at: path.resolvingSymlinksInPath(), to: part)
            guard rename(part.path, target.path) == 0 else {
                throw ModelInstallError("could not move \(part.path) to \(target.path): \(String(cString: strerror(errno)))")
            }
        }
        return destination
    }

    private func paths(of model: KnownModel, in location: URL) -> [URL] {
        model.isSingleFile ? [location] : model.files.map { location.appendingPathComponent($0.name) }
    }

    /// The SHA-256 of a file as lowercase hex, read 1 MiB at a time.
    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a model was not installed.
public struct ModelInstallError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
