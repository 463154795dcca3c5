/// Every command of the lab language, gathered from the per-step command files.
enum CommandTable {
    /// The commands in help order.
    static let all: [CommandSpec] = BasicCommands.specs + DemoCommands.specs + SetupCommands.specs + LabCommands.specs

    /// By name.
    static let byName: [String: CommandSpec] = {
        var d: [String: CommandSpec] = [:]
        for c in all {
            precondition(d[c.name] == nil, "command \(c.name) declared twice")
            d[c.name] = c
        }
        return d
    }()

    static var names: [String] { all.map(\.name) }
}
