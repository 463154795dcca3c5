import Foundation
@testable import JupyterKernel

/// An in-process interpreter for kernel tests: a few commands that exercise every kind of output.
///
/// `print X` (stdout), `warn X` (stderr), `result X` (execute_result), `show`
/// (display_data with PNG + a live display updated in place), `clear`,
/// `fail` (an error), `loop` (runs until interrupted, up to 10 s), `ticks N` (N stdout
/// lines 50 ms apart, each holding the time it was published).
final class TestInterpreter: KernelInterpreter {
    private let lock = NSLock()
    private var interruptFlag = false
    private var ran: [String] = []
    private var interrupts = 0
    private(set) var shutdownCalls: [Bool] = []

    /// The code of every cell executed so far.
    var executed: [String] { lock.lock(); defer { lock.unlock() }; return ran }
    /// How many times interrupt() was called.
    var interruptCount: Int { lock.lock(); defer { lock.unlock() }; return interrupts }

    let info = InterpreterInfo(implementation: "test-kernel", implementationVersion: "1.0", languageName: "testlang",
                               languageVersion: "0.9", fileExtension: ".tl", banner: "test banner",
                               helpLinks: [(text: "Docs", url: "https://example.invalid/docs")])

    func execute(_ request: ExecuteRequest, publisher: OutputPublisher) -> ExecuteOutcome {
        lock.lock(); ran.append(request.code); interruptFlag = false; lock.unlock()
        let code = request.code
        let (command, argument) = code.firstIndex(of: " ").map {
            (String(code[..<$0]), String(code[code.index(after: $0)...]))
        } ?? (code, "")
        switch command {
        case "print": publisher.stream(argument + "\n", stderr: false)
        case "warn": publisher.stream(argument + "\n", stderr: true)
        case "result": publisher.executeResult(["text/plain": argument], metadata: [:])
        case "show":
            publisher.display(["text/plain": "a figure", "image/png": "iVBORw0KGgo="], metadata: [:], displayID: nil, update: false)
            publisher.display(["text/plain": "step 1"], metadata: [:], displayID: "progress-1", update: false)
            publisher.display(["text/plain": "step 2"], metadata: [:], displayID: "progress-1", update: true)
        case "ticks":
            for _ in 0..<(Int(argument) ?? 1) {
                publisher.stream("\(Date().timeIntervalSince1970)", stderr: false)
                usleep(50_000)
            }
        case "clear": publisher.clearOutput(wait: argument == "wait")
        case "fail": return .error(ename: "TestError", evalue: "it failed", traceback: ["line 1: fail", "TestError: it failed"])
        case "loop":
            publisher.stream("started\n", stderr: false)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                lock.lock(); let stop = interruptFlag; lock.unlock()
                if stop {
                    publisher.stream("stopped\n", stderr: false)
                    return .error(ename: "Interrupted", evalue: "stopped by interrupt", traceback: ["Interrupted"])
                }
                usleep(5_000)
            }
            return .error(ename: "Timeout", evalue: "never interrupted", traceback: [])
        default: break
        }
        return .ok
    }

    func complete(_ code: String, cursor: Int) -> CompletionReply {
        let prefix = String(code.unicodeScalars.prefix(cursor))
        let words = ["print", "warn", "result", "show", "clear", "fail", "loop"]
        return CompletionReply(matches: words.filter { $0.hasPrefix(prefix) }, cursorStart: 0, cursorEnd: cursor)
    }

    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> [String: Any]? {
        code.hasPrefix("print") ? ["text/plain": "print TEXT: writes TEXT to stdout"] : nil
    }

    func isComplete(_ code: String) -> CompletenessReply {
        code.hasSuffix("\\") ? CompletenessReply(status: "incomplete", indent: "  ") : CompletenessReply(status: "complete")
    }

    func interrupt() {
        lock.lock(); interruptFlag = true; interrupts += 1; lock.unlock()
    }

    func shutdown(restart: Bool) {
        lock.lock(); shutdownCalls.append(restart); lock.unlock()
    }
}
