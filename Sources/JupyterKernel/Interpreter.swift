import Foundation

/// What a kernel needs from a language: run code, complete, inspect, judge completeness, stop.
///
/// The kernel calls `execute`, `complete`, `inspect` and `isComplete` on its
/// shell thread, one at a time; `interrupt` may come from any thread (control
/// socket or SIGINT) while `execute` runs, and must only ask it to stop.
public protocol KernelInterpreter: AnyObject {
    /// Language facts and banner for kernel_info_reply.
    var info: InterpreterInfo { get }
    /// Runs one cell, sending its outputs to `publisher` as they are produced.
    func execute(_ request: ExecuteRequest, publisher: OutputPublisher) -> ExecuteOutcome
    /// Completion candidates at `cursor` (a Unicode code point offset, as Jupyter counts).
    func complete(_ code: String, cursor: Int) -> CompletionReply
    /// Help for what is at `cursor`, as a MIME data dictionary; nil when nothing is found.
    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> [String: Any]?
    /// Whether `code` is ready to run; for an incomplete one, the indent to continue with.
    func isComplete(_ code: String) -> CompletenessReply
    /// Asks the running cell to stop soon; callable from any thread.
    func interrupt()
    /// Called once before the kernel exits (or restarts).
    func shutdown(restart: Bool)
}

/// Language facts for kernel_info_reply.
public struct InterpreterInfo: Sendable {
    public var implementation: String
    public var implementationVersion: String
    public var languageName: String
    public var languageVersion: String
    public var mimetype: String
    public var fileExtension: String
    public var codemirrorMode: String
    public var pygmentsLexer: String
    public var banner: String
    /// (text, url) pairs shown in the notebook's Help menu.
    public var helpLinks: [(text: String, url: String)]

    public init(implementation: String, implementationVersion: String, languageName: String,
                languageVersion: String, mimetype: String = "text/plain", fileExtension: String,
                codemirrorMode: String = "shell", pygmentsLexer: String = "text", banner: String,
                helpLinks: [(text: String, url: String)] = []) {
        self.implementation = implementation; self.implementationVersion = implementationVersion
        self.languageName = languageName; self.languageVersion = languageVersion
        self.mimetype = mimetype; self.fileExtension = fileExtension
        self.codemirrorMode = codemirrorMode; self.pygmentsLexer = pygmentsLexer
        self.banner = banner; self.helpLinks = helpLinks
    }
}

/// One execute_request as the interpreter sees it.
public struct ExecuteRequest: Sendable {
    public var code: String
    /// No outputs are broadcast; the interpreter may skip producing them.
    public var silent: Bool
    public var storeHistory: Bool
    /// The number this cell gets (shown as In[n]).
    public var executionCount: Int
    public init(code: String, silent: Bool = false, storeHistory: Bool = true, executionCount: Int) {
        self.code = code; self.silent = silent; self.storeHistory = storeHistory
        self.executionCount = executionCount
    }
}

/// How a cell ended.
public enum ExecuteOutcome: Equatable, Sendable {
    case ok
    /// The cell failed: Jupyter's ename, evalue and traceback lines.
    case error(ename: String, evalue: String, traceback: [String])
}

/// Completion candidates and the range of code they replace.
public struct CompletionReply: Equatable, Sendable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int
    public init(matches: [String], cursorStart: Int, cursorEnd: Int) {
        self.matches = matches; self.cursorStart = cursorStart; self.cursorEnd = cursorEnd
    }
}

/// is_complete_reply: status is "complete", "incomplete", "invalid" or "unknown".
public struct CompletenessReply: Equatable, Sendable {
    public var status: String
    public var indent: String
    public init(status: String, indent: String = "") { self.status = status; self.indent = indent }
}

/// Where a running cell sends its outputs; each call becomes one iopub message at once.
///
/// `data` dictionaries map MIME types to JSON values: strings for text and
/// base64 for images.
public protocol OutputPublisher: AnyObject {
    /// Text on "stdout" or "stderr".
    func stream(_ text: String, stderr: Bool)
    /// Rich output; with `displayID`, `update: true` replaces an earlier display in place.
    func display(_ data: [String: Any], metadata: [String: Any], displayID: String?, update: Bool)
    /// The cell's value (execute_result, with the cell's execution count).
    func executeResult(_ data: [String: Any], metadata: [String: Any])
    /// Clears the cell's output; with `wait`, when the next output arrives.
    func clearOutput(wait: Bool)
}
