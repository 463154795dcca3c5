import Foundation
import Synchronization

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
///
/// One `execute` runs at a time (calls from several threads are serialized);
/// `requestInterrupt` may be called from any thread or a signal handler.
public final class Session {
    let state = LabState()
    private let running = NSLock()
    private let interruptFlag = Atomic<Bool>(false)

    /// A session with the default seed (0), BLAS's thread count and overrides from the
    /// environment variable `SWIFT_LAB_SET` ("data=synthetic,epochs=1").
    public init() {
        if let env = ProcessInfo.processInfo.environment["SWIFT_LAB_SET"] {
            if let pairs = Session.parseOverrides(env) {
                for (name, value) in pairs { setOverride(name, value) }
            } else {
                FileHandle.standardError.write(Data("swift-lab: ignoring SWIFT_LAB_SET='\(env)': write name=value pairs, e.g. data=synthetic,epochs=1\n".utf8))
            }
        }
    }

    /// Parses "name=value" pairs separated by commas or spaces ("data=synthetic,epochs=1");
    /// nil when a pair has no `=` or an empty name.
    public static func parseOverrides(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for pair in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else { return nil }
            pairs.append((kv[0], kv[1]))
        }
        return pairs
    }

    /// Runs `source` (one command per line, `#` comments), sending outputs to `sink`.
    public func execute(_ source: String, sink: OutputSink) -> ExecutionOutcome {
        running.lock()
        defer { running.unlock() }
        interruptFlag.store(false, ordering: .relaxed)
        for line in Lexer.lines(source) {
            var text = line.text
            do {
                text = try state.substitute(line.text)
                let tokens = Lexer.tokens(text)
                guard let first = tokens.first else { continue }
                guard let spec = CommandTable.byName[first.value] else {
                    throw LabError("UnknownCommand", "unknown command '\(first.value)'."
                        + (Suggest.nearest(first.value, in: CommandTable.names).map { " Did you mean '\($0)'?" } ?? "")
                        + " Type 'help' for the list of commands.")
                }
                let args = try Arguments.bind(spec, tokens: tokens, line: text)
                try spec.handler(CommandContext(session: self, state: state, args: args, sink: sink, line: text))
                if spec.recordable { state.record(text) }
            } catch let e as LabError {
                return .failed(SessionError(name: e.name, message: e.message, line: line.number, source: text))
            } catch let i as LabInterrupted {
                state.record("# interrupted: " + text)
                return .interrupted(message: i.message)
            } catch {
                return .failed(SessionError(name: "InternalError", message: "\(error)", line: line.number, source: text))
            }
        }
        return .ok
    }

    /// Asks a running command to stop at its next safe point; callable from any thread.
    public func requestInterrupt() { interruptFlag.store(true, ordering: .relaxed) }

    /// Whether an interrupt was requested since the current `execute` began.
    var interruptRequested: Bool { interruptFlag.load(ordering: .relaxed) }

    /// Completions at `cursor` (a character offset in `source`).
    public func complete(_ source: String, cursor: Int) -> Completion {
        Completer(state: state).complete(source, cursor: Self.clamp(cursor, source))
    }

    /// Whether the word at `cursor` is a file path (so a front end can complete file names there).
    public func completesPath(_ source: String, cursor: Int) -> Bool {
        Completer(state: state).wantsPath(source, cursor: Self.clamp(cursor, source))
    }

    /// Help for the command or argument at `cursor`, or nil when there is nothing there.
    public func inspect(_ source: String, cursor: Int) -> MIMEBundle? {
        Completer(state: state).inspect(source, cursor: Self.clamp(cursor, source))
    }

    /// A cursor from a client, limited to the source (a Jupyter client may send any number).
    private static func clamp(_ cursor: Int, _ source: String) -> Int { min(max(cursor, 0), source.count) }

    /// Whether `source` is complete (a line ending in `\\` continues).
    public func isComplete(_ source: String) -> CompletenessStatus {
        Lexer.isComplete(source) ? .complete : .incomplete
    }

    /// Sets a variable that `let` in scripts cannot change (`--set data=synthetic`).
    public func setOverride(_ name: String, _ value: String) {
        state.overrides[name] = value
        state.variables[name] = value
    }

    /// Appends every successful command to this `.lab` file from now on (nil stops recording).
    public func record(to path: String?) throws {
        try state.startRecording(path)
    }

    /// Where figures are written as files (nil: not written).
    public var figureDirectory: URL? { state.figureDirectory }

    /// Writes every figure into `path` from now on (nil: stop), creating the folder; throws
    /// (printing as `FileError: ...`) when it cannot be made or written.
    public func writeFigures(to path: String?) throws {
        try state.setFigureDirectory(path)
    }

    /// The names of all commands, in help order.
    public static var commandNames: [String] { CommandTable.names }

    /// The language's name and version for kernel_info.
    public static let languageName = "swift-lab"
    public static let languageVersion = "0.1.0"
    public static let fileExtension = ".lab"
}
