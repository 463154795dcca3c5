import CReadline
import Foundation
import LabSession

/// The glue between GNU readline's C callbacks and the session: completion and Ctrl-C.
///
/// Readline's callbacks are plain C function pointers, so the session they talk
/// to lives in a global set once by the REPL before the first prompt.
enum REPLReadline {
    nonisolated(unsafe) static var session: Session?
    /// 1 while readline waits at the prompt, 0 while a command runs.
    nonisolated(unsafe) static var atPrompt: sig_atomic_t = 0

    /// Installs tab completion and the SIGINT handler.
    static func install(session: Session) {
        self.session = session
        swl_rl_configure(strdup("swift-lab"), strdup(" \t=")) { text, start, end in
            let matches = REPLReadline.completions()
            // File names where the command takes a path; nothing else falls back to readline's own completion.
            swl_rl_set_attempted_completion_over((matches == nil && REPLReadline.wantsPath()) ? 0 : 1)
            return matches
        }
        signal(SIGINT) { _ in
            if REPLReadline.atPrompt != 0 {
                // Ctrl-C at the prompt: drop what was typed, fresh prompt.
                _ = write(STDOUT_FILENO, "\n", 1)
                rl_replace_line("", 0)
                rl_on_new_line()
                rl_redisplay()
            } else {
                REPLReadline.session?.requestInterrupt()
            }
        }
    }

    /// Whether the cursor sits on a path argument.
    static func wantsPath() -> Bool {
        guard let session, let buf = swl_rl_line_buffer() else { return false }
        let line = String(cString: buf)
        let before = String(decoding: Array(line.utf8).prefix(Int(swl_rl_point())), as: UTF8.self)
        return session.completesPath(line, cursor: before.count)
    }

    /// The completion list in readline's format: [common prefix, matches..., NULL], malloc'd.
    static func completions() -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard let session, let buf = swl_rl_line_buffer() else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(buf).assumingMemoryBound(to: UInt8.self),
                                              count: strlen(buf)))
        let point = Int(swl_rl_point())
        let before = String(decoding: bytes.prefix(point), as: UTF8.self)
        let line = String(decoding: bytes, as: UTF8.self)
        let c = session.complete(line, cursor: before.count)
        guard !c.matches.isEmpty else { return nil }
        let single = c.matches.count == 1
        swl_rl_set_completion_suppress_append((single && c.matches[0].hasSuffix("=")) ? 1 : 0)
        var prefix = c.matches[0]
        for m in c.matches.dropFirst() {
            while !m.hasPrefix(prefix) { prefix.removeLast() }
        }
        // readline frees the array and strings with free(); allocate with malloc.
        let raw = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (c.matches.count + 2))!
        let arr = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: c.matches.count + 2)
        arr[0] = strdup(prefix)
        var n = 1
        if !single {
            for m in c.matches { arr[n] = strdup(m); n += 1 }
        }
        arr[n] = nil
        return arr
    }

    /// Reads one line with the prompt; nil at end of input (Ctrl-D).
    static func readLine(prompt: String) -> String? {
        atPrompt = 1
        defer { atPrompt = 0 }
        guard let p = readline(prompt) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Loads the history file (creating it when missing).
    static func loadHistory(_ path: String) {
        using_history()
        if FileManager.default.fileExists(atPath: path) {
            read_history(path)
        } else {
            write_history(path)
        }
    }

    /// Adds a line to the in-memory history and appends it to the file.
    static func remember(_ line: String, path: String) {
        add_history(line)
        append_history(1, path)
        history_truncate_file(path, 2000)
    }
}
