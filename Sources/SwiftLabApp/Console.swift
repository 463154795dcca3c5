import Foundation

/// The process's standard streams, as the terminal front ends write them.
///
/// Through Foundation rather than C's `stdout`/`stderr` globals, which Swift 6 treats as
/// unprotected shared state.
enum Console {
    /// Writes `text` to standard output and flushes it.
    static func out(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    /// Writes `text` to standard error, after flushing standard output so that the two stay in order on a terminal.
    static func error(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
