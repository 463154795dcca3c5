import Foundation
import LabSession

/// Writes a session's output to the terminal (or a pipe): text as is, rich results as
/// their terminal rendering on a TTY or their text/plain fallback, live progress on one line.
final class TerminalSink: OutputSink {
    /// Whether stdout is a terminal (colors, half-block images, in-place progress).
    let isTTY: Bool
    /// Whether displays with an id (live progress) are shown at all; a script player leaves them out.
    let showProgress: Bool
    private var progressOpen = false
    private let lock = NSLock()

    init(isTTY: Bool = isatty(STDOUT_FILENO) == 1, showProgress: Bool? = nil) {
        self.isTTY = isTTY
        self.showProgress = showProgress ?? isTTY
    }

    private func write(_ s: String, error: Bool = false) {
        if error { Console.error(s) } else { Console.out(s) }
    }

    /// Ends an in-place progress line before other output.
    private func closeProgress() {
        if progressOpen {
            write("\n")
            progressOpen = false
        }
    }

    func stream(_ text: String, error: Bool) {
        lock.lock(); defer { lock.unlock() }
        closeProgress()
        write(text, error: error)
    }

    func display(_ bundle: MIMEBundle, displayID: String?, update: Bool) {
        lock.lock(); defer { lock.unlock() }
        if displayID != nil {
            guard showProgress else { return }
            let line = bundle.plain.split(separator: "\n").last.map(String.init) ?? ""
            if isTTY {
                write("\r\u{1B}[2K" + line)
                progressOpen = true
            } else if !update {
                write(line + "\n")
            }
            return
        }
        closeProgress()
        if isTTY, let t = bundle.terminal {
            write(t.hasSuffix("\n") ? t : t + "\n")
        }
        write(bundle.plain.hasSuffix("\n") ? bundle.plain : bundle.plain + "\n")
    }

    func result(_ bundle: MIMEBundle) {
        display(bundle, displayID: nil, update: false)
    }

    func clear(wait: Bool) {
        lock.lock(); defer { lock.unlock() }
        closeProgress()
        if isTTY { write("\u{1B}[2J\u{1B}[H") }
    }

    /// Closes an open progress line (call when a command finishes).
    func finish() {
        lock.lock(); defer { lock.unlock() }
        closeProgress()
    }

    /// Prints a failed line: where, what, and the line itself.
    func report(_ error: SessionError, file: String? = nil) {
        finish()
        let place = file.map { "\($0):\(error.line)" } ?? "line \(error.line)"
        let red = isTTY ? "\u{1B}[31m" : "", reset = isTTY ? "\u{1B}[0m" : ""
        write("\(red)\(error.name)\(reset) at \(place): \(error.message)\n    \(error.source)\n", error: true)
    }
}
