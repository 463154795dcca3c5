import Foundation

/// Tab completion and inspection, generated from the command table and the session's state.
struct Completer {
    let state: LabState

    /// The line holding `cursor` and the cursor's offset inside it.
    private func currentLine(_ source: String, cursor: Int) -> (line: String, offset: Int, lineStart: Int) {
        let chars = Array(source)
        let c = max(0, min(cursor, chars.count))
        var start = c
        while start > 0, chars[start - 1] != "\n" { start -= 1 }
        var end = c
        while end < chars.count, chars[end] != "\n" { end += 1 }
        return (String(chars[start..<end]), c - start, start)
    }

    /// Candidates for the word before `cursor`: command names first, then argument
    /// names (`epochs=`), then values (choices, on/off, model names, layer paths).
    func complete(_ source: String, cursor: Int) -> Completion {
        let (line, offset, lineStart) = currentLine(source, cursor: cursor)
        let before = String(Array(line)[..<offset])
        var wordStart = offset
        let chars = Array(before)
        while wordStart > 0, chars[wordStart - 1] != " ", chars[wordStart - 1] != "\t" { wordStart -= 1 }
        let word = String(chars[wordStart...])
        let earlier = Lexer.tokens(String(chars[..<wordStart]))
        if word.hasPrefix("#") { return Completion(matches: [], start: cursor, end: cursor) }
        guard let cmd = earlier.first else {
            let m = CommandTable.names.filter { $0.hasPrefix(word) }
            return Completion(matches: m, start: lineStart + wordStart, end: cursor)
        }
        guard let spec = CommandTable.byName[cmd.value] else {
            return Completion(matches: [], start: cursor, end: cursor)
        }
        if let eq = word.firstIndex(of: "=") {
            let name = String(word[..<eq])
            let partial = String(word[word.index(after: eq)...])
            guard let a = spec.argument(name) else { return Completion(matches: [], start: cursor, end: cursor) }
            let vstart = lineStart + wordStart + name.count + 1
            return Completion(matches: values(for: a).filter { $0.hasPrefix(partial) }, start: vstart, end: cursor)
        }
        let used = Set(earlier.dropFirst().compactMap(\.key))
        var matches: [String] = []
        let positionalUsed = earlier.dropFirst().contains { $0.key == nil }
        if let p = spec.positional, !positionalUsed, let a = spec.argument(p) {
            matches += values(for: a).filter { $0.hasPrefix(word) }
        }
        matches += spec.arguments.filter { !used.contains($0.name) }.map { $0.name + "=" }.filter { $0.hasPrefix(word) }
        return Completion(matches: matches, start: lineStart + wordStart, end: cursor)
    }

    /// Whether the word before `cursor` is the value of a path argument (front ends may complete file names).
    func wantsPath(_ source: String, cursor: Int) -> Bool {
        let (line, offset, _) = currentLine(source, cursor: cursor)
        let chars = Array(line)
        var wordStart = offset
        while wordStart > 0, chars[wordStart - 1] != " ", chars[wordStart - 1] != "\t" { wordStart -= 1 }
        let word = String(chars[wordStart..<offset])
        let earlier = Lexer.tokens(String(chars[..<wordStart]))
        guard let cmd = earlier.first, let spec = CommandTable.byName[cmd.value] else { return false }
        let name: String?
        if let eq = word.firstIndex(of: "=") { name = String(word[..<eq]) }
        else if !earlier.dropFirst().contains(where: { $0.key == nil }) { name = spec.positional }
        else { name = nil }
        guard let n = name, let a = spec.argument(n), case .path = a.type else { return false }
        return true
    }

    /// The values an argument can take, for completion.
    func values(for a: ArgumentSpec) -> [String] {
        switch a.type {
        case .choice(let c): return c
        case .bool: return ["on", "off"]
        case .model: return state.lab.modelNames
        case .layer: return state.lab.layerPaths
        case .command: return CommandTable.names
        default: return []
        }
    }

    /// Help for the command (or argument) under the cursor.
    func inspect(_ source: String, cursor: Int) -> MIMEBundle? {
        let (line, offset, _) = currentLine(source, cursor: cursor)
        let tokens = Lexer.tokens(line)
        guard let first = tokens.first, let spec = CommandTable.byName[first.value] else {
            if let first = tokens.first, let near = Suggest.nearest(first.value, in: CommandTable.names) {
                return MIMEBundle(plain: "unknown command '\(first.value)'; did you mean '\(near)'?\n\n" + CommandTable.byName[near]!.help)
            }
            return nil
        }
        if let t = tokens.dropFirst().first(where: { $0.start <= offset && offset <= $0.end }),
           let name = t.key ?? spec.positional, let a = spec.argument(name) {
            var text = "\(spec.name) \(a.name): \(a.help) (\(a.type.label)"
            if let d = a.defaultValue { text += ", default \(d)" }
            return MIMEBundle(plain: text + ")\n\n" + spec.help)
        }
        return MIMEBundle(plain: spec.help)
    }
}
