import Foundation

/// The language's own commands: help, echo/warn, version, clear, variables, recording, figure files.
enum BasicCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("help", topic: "Language", "List the commands, or show one command's arguments.",
                    positional: "command",
                    arguments: [ArgumentSpec("command", .command, "the command to explain")],
                    recordable: false, handler: help),
        CommandSpec("version", topic: "Language", "Show the swift-lab version.", recordable: false) { ctx in
            ctx.result("swift-lab \(Session.languageVersion)")
        },
        CommandSpec("echo", topic: "Language", "Print the rest of the line.", positional: "text",
                    arguments: [ArgumentSpec("text", .rest, "what to print")]) { ctx in
            ctx.print(ctx.args.string("text") ?? "")
        },
        CommandSpec("warn", topic: "Language", "Print the rest of the line to stderr.", positional: "text",
                    arguments: [ArgumentSpec("text", .rest, "what to print")]) { ctx in
            ctx.warn(ctx.args.string("text") ?? "")
        },
        CommandSpec("clear", topic: "Language", "Clear the output shown so far.", recordable: false) { ctx in
            ctx.sink.clear(wait: false)
        },
        CommandSpec("let", topic: "Language",
                    "Set a script variable, used as ${name}; values fixed with --set are kept.",
                    positional: "assignment",
                    arguments: [ArgumentSpec("assignment", .rest, required: true, "one or more name=value pairs")],
                    handler: assign),
        CommandSpec("vars", topic: "Language", "List the script variables.", recordable: false) { ctx in
            let v = ctx.state.variables.sorted { $0.key < $1.key }
            ctx.print(v.isEmpty ? "no variables" : v.map { "\($0.key)=\($0.value)" + (ctx.state.overrides[$0.key] != nil ? "  (fixed from outside)" : "") }.joined(separator: "\n"))
        },
        CommandSpec("record", topic: "Language",
                    "Append every successful command from now on to a .lab script (record off to stop).",
                    positional: "file",
                    arguments: [ArgumentSpec("file", .path, required: true, "the .lab file, or off")],
                    recordable: false) { ctx in
            let f = ctx.args.string("file")!
            try ctx.state.startRecording(f == "off" ? nil : f)
            ctx.print(f == "off" ? "recording stopped" : "recording to \(f)")
        },
        CommandSpec("figures", topic: "Language",
                    "Also write every figure as a file (PNG/SVG/HTML) into a folder (figures off to stop).",
                    positional: "dir",
                    arguments: [ArgumentSpec("dir", .path, required: true, "the folder, or off")],
                    recordable: false) { ctx in
            let d = ctx.args.string("dir")!
            try ctx.state.setFigureDirectory(d == "off" ? nil : d)
            ctx.print(d == "off" ? "figures are no longer written to files" : "figures are written to \(d)/")
        },
    ]

    /// `help` or `help COMMAND`, generated from the table.
    static func help(_ ctx: CommandContext) throws {
        if let name = ctx.args.string("command") {
            guard let spec = CommandTable.byName[name] else {
                throw LabError("UnknownCommand", "no command '\(name)'.\(Suggest.hint(name, in: CommandTable.names))")
            }
            ctx.print(spec.help)
            return
        }
        var lines = ["swift-lab \(Session.languageVersion): one command per line, `command [value] key=value ...`;",
                     "`#` starts a comment, a line ending in `\\` continues; `help COMMAND` explains one command."]
        var topic = ""
        let width = (CommandTable.all.map(\.name.count).max() ?? 8) + 2
        for c in CommandTable.all {
            if c.topic != topic {
                topic = c.topic
                lines.append("")
                lines.append(topic)
            }
            lines.append("  " + c.name + String(repeating: " ", count: width - c.name.count) + c.summary)
        }
        ctx.print(lines.joined(separator: "\n"))
    }

    /// `let name=value ...`: validates every pair before setting any.
    static func assign(_ ctx: CommandContext) throws {
        let tokens = Lexer.tokens(ctx.args.string("assignment") ?? "")
        var pairs: [(String, String)] = []
        for t in tokens {
            guard let k = t.key, k.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw LabError("BadArgument", "let needs name=value pairs; '\(t.raw)' is not one.")
            }
            pairs.append((k, t.value))
        }
        for (k, v) in pairs where ctx.state.overrides[k] == nil {
            ctx.state.variables[k] = v
        }
    }
}
