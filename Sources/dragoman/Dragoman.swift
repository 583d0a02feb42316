import ArgumentParser

@main
struct Dragoman: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live interpretation for multilingual meetings: every delegate hears the meeting in their language on their phone.",
        subcommands: [
            ServeCommand.self, DemoCommand.self, EventCommand.self, IngestCommand.self, InterpretCommand.self, ListenCommand.self, BenchCommand.self,
            IcecastCommand.self, BackupCommand.self, RestoreCommand.self, DoctorCommand.self, ModelsCommand.self,
        ]
    )
}
