import Foundation
@testable import LabSession

/// Records everything a session sends, for assertions.
final class CollectingSink: OutputSink {
    struct Display { let bundle: MIMEBundle; let id: String?; let update: Bool }
    var stdout = ""
    var stderr = ""
    var displays: [Display] = []
    var results: [MIMEBundle] = []
    var clears = 0

    func stream(_ text: String, error: Bool) { if error { stderr += text } else { stdout += text } }
    func display(_ bundle: MIMEBundle, displayID: String?, update: Bool) {
        displays.append(Display(bundle: bundle, id: displayID, update: update))
    }
    func result(_ bundle: MIMEBundle) { results.append(bundle) }
    func clear(wait: Bool) { clears += 1 }

    /// Everything as text, in the order a person would read it.
    var text: String { stdout + results.map(\.plain).joined(separator: "\n") }
}

extension Session {
    /// Runs `source` and returns the sink; fails the test on an error unless `expectError`.
    func run(_ source: String) -> (ExecutionOutcome, CollectingSink) {
        let sink = CollectingSink()
        return (execute(source, sink: sink), sink)
    }
}
