import Foundation

/// Where the files that scripts/setup installs beside the code (models, workers) are looked for: the current
/// folder, then the folders above the running binary (the repository it was built in).
enum InstallFolders {
    static var candidates: [URL] {
        var folders = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<5 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        return folders
    }

    /// The path of `relative` in the first candidate folder that has it.
    static func find(_ relative: String) -> String? {
        for folder in candidates {
            let path = folder.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }
}
