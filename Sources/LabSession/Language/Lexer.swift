import Foundation

/// One logical line of source: physical lines joined where one ended in `\`.
struct SourceLine: Equatable {
    /// 1-based number of the first physical line.
    let number: Int
    /// The text, continuations joined with a space, the trailing `\` removed.
    let text: String
}

/// One word of a command line, with where it sits in the line (character offsets).
struct Token: Equatable {
    /// The word as typed, quotes included.
    let raw: String
    /// The key of a `key=value` word, nil for a bare word.
    let key: String?
    /// The value (quotes removed), or the bare word itself.
    let value: String
    /// Character offset of the first character in the line.
    let start: Int
    /// Character offset one past the last character.
    let end: Int
}

/// Splits source text into lines and lines into words.
///
/// The rules are few on purpose: one command per line; a line ending in `\`
/// continues on the next; a word starting with `#` starts a comment that runs
/// to the end of the line (so whole-line comments and `#|` markdown lines are
/// skipped); blank lines are ignored; a value may be quoted with `"` to hold
/// spaces (`title="F(x) + x"`).
enum Lexer {
    /// The logical lines of `source` that hold a command (comments and blanks dropped).
    static func lines(_ source: String) -> [SourceLine] {
        var out: [SourceLine] = []
        var pending = ""
        var pendingStart = 0
        for (i, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let isComment = line.trimmingCharacters(in: .whitespaces).hasPrefix("#")
            if pending.isEmpty && isComment { continue }
            if pending.isEmpty { pendingStart = i + 1 }
            if line.hasSuffix("\\") && !isComment {
                pending += String(line.dropLast()) + " "
                continue
            }
            let text = isComment ? pending : pending + line
            pending = ""
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if let first = tokens(text).first, first.raw.hasPrefix("#") { continue }
            out.append(SourceLine(number: pendingStart, text: text))
        }
        if !pending.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(SourceLine(number: pendingStart, text: pending))
        }
        return out
    }

    /// The words of one line, stopping at a comment.
    static func tokens(_ line: String) -> [Token] {
        let chars = Array(line)
        var out: [Token] = []
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            guard i < chars.count else { break }
            if chars[i] == "#" { break }
            let start = i
            var inQuote = false
            var value = ""
            var key: String?
            while i < chars.count {
                let c = chars[i]
                if c == "\"" { inQuote.toggle(); i += 1; continue }
                if !inQuote && (c == " " || c == "\t") { break }
                if !inQuote && c == "=" && key == nil && !value.isEmpty {
                    key = value
                    value = ""
                    i += 1
                    continue
                }
                value.append(c)
                i += 1
            }
            out.append(Token(raw: String(chars[start..<i]), key: key, value: value, start: start, end: i))
        }
        return out
    }

    /// The text of `line` after its first word, leading spaces and any comment removed (for `echo`).
    static func rest(_ line: String) -> String {
        let toks = tokens(line)
        guard toks.count > 1 else { return "" }
        let chars = Array(line)
        return String(chars[toks[1].start..<toks.last!.end])
    }

    /// Whether the source is complete: a last line ending in `\` continues.
    static func isComplete(_ source: String) -> Bool {
        var s = source
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        let last = s.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if last.trimmingCharacters(in: .whitespaces).hasPrefix("#") { return true }
        return !last.hasSuffix("\\")
    }
}
