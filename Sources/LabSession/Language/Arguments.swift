import Foundation

/// A validated argument value.
enum ArgValue: Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
}

/// The validated arguments of one command line, with typed accessors.
struct Arguments {
    private(set) var values: [String: ArgValue] = [:]
    /// Which arguments the line set explicitly (not from defaults).
    private(set) var given: Set<String> = []

    subscript(_ name: String) -> ArgValue? { values[name] }

    func int(_ name: String) -> Int {
        if case .int(let v)? = values[name] { return v }
        preconditionFailure("argument \(name) is not a set int")
    }
    func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: preconditionFailure("argument \(name) is not a set number")
        }
    }
    func bool(_ name: String) -> Bool {
        if case .bool(let v)? = values[name] { return v }
        preconditionFailure("argument \(name) is not a set bool")
    }
    func string(_ name: String) -> String? {
        if case .string(let v)? = values[name] { return v }
        return nil
    }
    func optionalInt(_ name: String) -> Int? {
        if case .int(let v)? = values[name] { return v }
        return nil
    }
    func isGiven(_ name: String) -> Bool { given.contains(name) }

    /// Validates the words of a line against `spec`: names known, types right, values in range.
    static func bind(_ spec: CommandSpec, tokens: [Token], line: String) throws -> Arguments {
        var args = Arguments()
        let names = spec.arguments.map(\.name)
        var rest = Array(tokens.dropFirst())
        if let p = spec.positional, let a = spec.argument(p), case .rest = a.type {
            let text = Lexer.rest(line)
            args.values[p] = .string(text)
            if !text.isEmpty { args.given.insert(p) }
            rest = []
        }
        for t in rest {
            let name: String
            if let k = t.key {
                guard spec.argument(k) != nil else {
                    let known = names.isEmpty ? "it takes no arguments" : "its arguments are " + names.joined(separator: ", ")
                    throw LabError("UnknownArgument", "'\(spec.name)' has no argument '\(k)'; \(known).\(Suggest.hint(k, in: names))")
                }
                name = k
            } else {
                guard let p = spec.positional, !args.given.contains(p) else {
                    if let p = spec.positional {
                        throw LabError("BadArgument", "'\(spec.name)' takes one \(p) before its key=value arguments; '\(t.value)' is one too many.")
                    }
                    let hint = names.isEmpty ? "it takes no arguments" : "write name=value, one of " + names.joined(separator: ", ")
                    throw LabError("BadArgument", "'\(spec.name)' does not take a bare word '\(t.value)'; \(hint).\(Suggest.hint(t.value, in: names))")
                }
                name = p
            }
            if args.given.contains(name) {
                throw LabError("BadArgument", "argument '\(name)' is given twice.")
            }
            args.values[name] = try parse(t.value, as: spec.argument(name)!, command: spec.name)
            args.given.insert(name)
        }
        for a in spec.arguments where !args.given.contains(a.name) {
            if a.required {
                throw LabError("MissingArgument", "'\(spec.name)' needs \(a.name)=<\(a.type.label)> (\(a.help)). Usage: \(spec.synopsis)")
            }
            if let d = a.defaultValue, args.values[a.name] == nil {
                args.values[a.name] = try parse(d, as: a, command: spec.name)
            }
        }
        return args
    }

    /// Parses one value for argument `a`, checking its type and range.
    static func parse(_ text: String, as a: ArgumentSpec, command: String) throws -> ArgValue {
        func bad(_ why: String) -> LabError {
            LabError("BadArgument", "\(command) \(a.name)='\(text)': \(why)" + (why.hasSuffix("?") ? "" : "."))
        }
        switch a.type {
        case .int(let range):
            guard let v = Int(text.replacingOccurrences(of: "_", with: "")) else { throw bad("expected a whole number") }
            if let r = range, !r.contains(v) { throw bad("must be in \(r.lowerBound)...\(r.upperBound)") }
            return .int(v)
        case .double(let range):
            guard let v = Double(text), v.isFinite else { throw bad("expected a number like 0.001 or 1e-8") }
            if let r = range, !r.contains(v) {
                throw bad("must be in \(ArgType.fmt(r.lowerBound))...\(ArgType.fmt(r.upperBound))")
            }
            return .double(v)
        case .bool:
            switch text.lowercased() {
            case "on", "true", "yes", "1": return .bool(true)
            case "off", "false", "no", "0": return .bool(false)
            default: throw bad("expected on or off")
            }
        case .choice(let options):
            guard options.contains(text) else {
                throw bad("expected one of \(options.joined(separator: ", "))" + Suggest.hint(text, in: options))
            }
            return .string(text)
        case .text, .path, .model, .layer, .rest, .command:
            guard !text.isEmpty || !a.required else { throw bad("must not be empty") }
            return .string(text)
        }
    }
}
