import ArgumentParser
import DragomanSpeech
import Foundation

/// `dragoman models`: the models machine booths use, whether each is installed here, and installing one from a
/// copy the user has, checked against its SHA-256.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models machine booths use, or install one from a file or folder you have.",
        subcommands: [List.self, Install.self],
        defaultSubcommand: List.self
    )

    /// The options both subcommands share.
    struct Location: ParsableArguments {
        @Option(help: "The folder models are installed under (default: the vendor/ folder scripts/setup fills).")
        var folder: String?

        var installer: ModelInstaller {
            let path = folder ?? InstallFolders.find("vendor") ?? FileManager.default.currentDirectoryPath + "/vendor"
            return ModelInstaller(folder: URL(fileURLWithPath: path))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the models, with where each comes from and whether it is installed.")

        @OptionGroup var location: Location

        @Flag(help: "Also check the SHA-256 of every installed file (reads them all: a few seconds).")
        var verify = false

        func run() throws {
            let installer = location.installer
            print("Models for machine booths (installed under \(installer.folder.path)):\n")
            for model in ModelCatalog.all {
                var state = installer.isInstalled(model) ? "installed" : "not installed"
                if verify, installer.isInstalled(model) {
                    let problems = try installer.verify(model)
                    state = problems.isEmpty ? "installed, checksums match" : "installed, DAMAGED: " + problems.joined(separator: "; ")
                }
                print(
                    """
                    \(model.id): \(state)
                      does:      \(model.roles.map(\.rawValue).joined(separator: ", "))
                      languages: \(model.languages)
                      size:      \(model.size), licence \(model.licence)
                      from:      \(model.source)
                      run by:    \(model.engine)
                      where:     \(installer.location(of: model).path)

                    """
                )
            }
            print("Install one from a copy: dragoman models install <name> --from <file or folder>")
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a model from a file or folder you have, after checking its SHA-256.",
            discussion: "Nothing is changed when a file is missing or its checksum does not match."
        )

        @Argument(help: "The model's name, as `dragoman models` lists it (e.g. silero-vad, whisper-base).")
        var name: String

        @Option(help: "The model's file (one-file models) or the folder with its files.")
        var from: String

        @Option(help: "The SHA-256 its source publishes, for a file whose checksum Dragoman does not know.")
        var sha256: String?

        @OptionGroup var location: Location

        func validate() throws {
            guard ModelCatalog.model(name) != nil else {
                throw ValidationError("no model named '\(name)': known are \(ModelCatalog.all.map(\.id).joined(separator: ", "))")
            }
        }

        func run() throws {
            guard let model = ModelCatalog.model(name) else { throw ExitCode(2) }
            do {
                let destination = try location.installer.install(model, from: URL(fileURLWithPath: from), expectedSHA256: sha256)
                print("Installed \(model.id) in \(destination.path) (SHA-256 checked).")
            } catch let error as ModelInstallError {
                FileHandle.standardError.write(Data("dragoman models install: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
