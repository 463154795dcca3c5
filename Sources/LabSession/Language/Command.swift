import Foundation

/// The kind of value an argument takes; drives parsing, validation, help and completion.
enum ArgType: Sendable {
    /// A whole number, optionally limited to a range.
    case int(ClosedRange<Int>?)
    /// A real number, optionally limited to a range.
    case double(ClosedRange<Double>?)
    /// on/off (also true/false, yes/no, 1/0).
    case bool
    /// One of a fixed set of words.
    case choice([String])
    /// Free text.
    case text
    /// A file or folder path.
    case path
    /// The name of a model in the session (completed from the session's models).
    case model
    /// A layer or block path of the current model (`layer1.0`), completed from the model.
    case layer
    /// The name of a command (`help train`).
    case command
    /// The raw rest of the line (only as the positional argument: `echo`, `warn`).
    case rest

    /// How the type reads in help: `<int 1...1000>`, `adam|sgd`.
    var label: String {
        switch self {
        case .int(let r): return r.map { "int \($0.lowerBound)...\($0.upperBound)" } ?? "int"
        case .double(let r): return r.map { "number \(ArgType.fmt($0.lowerBound))...\(ArgType.fmt($0.upperBound))" } ?? "number"
        case .bool: return "on|off"
        case .choice(let c): return c.joined(separator: "|")
        case .text: return "text"
        case .path: return "path"
        case .model: return "model name"
        case .layer: return "layer path"
        case .command: return "command"
        case .rest: return "text..."
        }
    }

    static func fmt(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}

/// One argument of a command: its name, type, default and one-line help.
struct ArgumentSpec: Sendable {
    let name: String
    let type: ArgType
    /// The default as text (parsed like a typed value); nil with `required` false means "not set".
    let defaultValue: String?
    let required: Bool
    let help: String

    init(_ name: String, _ type: ArgType, default defaultValue: String? = nil, required: Bool = false, _ help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.help = help
    }
}

/// A command of the lab language, declared once: help, completion, inspection and
/// validation all come from this declaration.
struct CommandSpec: Sendable {
    let name: String
    /// The lab step it belongs to, for grouping in `help` ("§7 Train").
    let topic: String
    /// One line: what the command does.
    let summary: String
    /// The argument that may be written without `name=` (first bare word), if any.
    let positional: String?
    let arguments: [ArgumentSpec]
    /// Whether a successful run is appended to the recorded `.lab` script.
    let recordable: Bool
    /// Does the work; arguments are already validated. Must check its own
    /// preconditions before it changes the session, so a thrown error leaves it as it was.
    let handler: @Sendable (CommandContext) throws -> Void

    init(_ name: String, topic: String, _ summary: String, positional: String? = nil,
         arguments: [ArgumentSpec] = [], recordable: Bool = true,
         handler: @escaping @Sendable (CommandContext) throws -> Void) {
        self.name = name
        self.topic = topic
        self.summary = summary
        self.positional = positional
        self.arguments = arguments
        self.recordable = recordable
        self.handler = handler
    }

    func argument(_ name: String) -> ArgumentSpec? { arguments.first { $0.name == name } }

    /// The synopsis line: `train [epochs=5] [model=NAME]`.
    var synopsis: String {
        var parts = [name]
        for a in arguments {
            let isPos = a.name == positional
            var s: String
            if isPos { s = a.type.label.contains("|") ? a.type.label : a.name.uppercased() }
            else { s = "\(a.name)=" + (a.defaultValue ?? "<\(a.type.label)>") }
            if case .rest = a.type { s = a.name.uppercased() + "..." }
            parts.append(a.required ? s : "[\(s)]")
        }
        return parts.joined(separator: " ")
    }

    /// Full help: synopsis, summary and one line per argument.
    var help: String {
        var lines = [synopsis, "  \(summary)"]
        for a in arguments {
            var l = "  \(a.name)"
            l += String(repeating: " ", count: max(1, 14 - a.name.count))
            l += "\(a.help) (\(a.type.label)"
            if let d = a.defaultValue { l += ", default \(d)" }
            if a.required { l += ", required" }
            if a.name == positional { l += ", may be given first without \(a.name)=" }
            l += ")"
            lines.append(l)
        }
        return lines.joined(separator: "\n")
    }
}

/// An error a command raises: a Jupyter-style class name and a one-line message.
struct LabError: Error, CustomStringConvertible {
    let name: String
    let message: String
    init(_ name: String, _ message: String) {
        self.name = name
        self.message = message
    }
    /// `Name: message`, as the front ends print a failed option (`--record`, `--out`).
    var description: String { "\(name): \(message)" }
}

/// Thrown by a long command that stopped at an interrupt, after leaving the session consistent.
struct LabInterrupted: Error {
    let message: String
}
