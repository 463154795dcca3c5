import Foundation

/// CONTRACT STUB — the session helper replaces this file with the real session.
/// The signatures below are what the front ends (kernel, REPL, script player) call.

/// How a run of source text ended.
public enum ExecutionOutcome: Equatable, Sendable {
    case ok
    /// A line failed; nothing after it ran and the session is as it was before that line.
    case failed(SessionError)
    /// An interrupt stopped a long command (training) at a batch boundary; state is consistent.
    case interrupted(message: String)
}

/// A failing line, with what was wrong and what to do.
public struct SessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Error class name for Jupyter's `ename` (e.g. "UnknownCommand", "BadArgument", "DataNotLoaded").
    public var name: String
    /// One line: what was wrong and what to do.
    public var message: String
    /// 1-based line number inside the executed source.
    public var line: Int
    /// The failing line's text.
    public var source: String
    public init(name: String, message: String, line: Int, source: String) {
        self.name = name; self.message = message; self.line = line; self.source = source
    }
    public var description: String { "line \(line): \(message)" }
}

/// Completion candidates for the text before the cursor.
public struct Completion: Equatable, Sendable {
    public var matches: [String]
    /// The range of the source (in characters) that a match replaces.
    public var start: Int
    public var end: Int
    public init(matches: [String], start: Int, end: Int) {
        self.matches = matches; self.start = start; self.end = end
    }
}

/// Whether source text is ready to run.
public enum CompletenessStatus: String, Sendable {
    case complete, incomplete, invalid, unknown
}

/// The persistent lab session: data, models, optimizer, history; runs command source text.
public final class Session {
    public init() {}
    /// Runs `source` (one command per line, `#` comments), sending outputs to `sink`.
    public func execute(_ source: String, sink: OutputSink) -> ExecutionOutcome { .ok }
    /// Asks a running command to stop at its next safe point; callable from any thread.
    public func requestInterrupt() {}
    /// Completions at `cursor` (a character offset in `source`).
    public func complete(_ source: String, cursor: Int) -> Completion { Completion(matches: [], start: cursor, end: cursor) }
    /// Help for the command or argument at `cursor`, or nil when there is nothing there.
    public func inspect(_ source: String, cursor: Int) -> MIMEBundle? { nil }
    /// Whether `source` is complete (a line ending in `\\` continues).
    public func isComplete(_ source: String) -> CompletenessStatus { .complete }
    /// The language's name and version for kernel_info.
    public static let languageName = "swift-lab"
    public static let languageVersion = "0.1.0"
    public static let fileExtension = ".lab"
}
