import Foundation

/// What a command handler gets: the session state, its validated arguments and the sink.
final class CommandContext {
    let session: Session
    let state: LabState
    let args: Arguments
    let sink: OutputSink
    /// The line as written (after variable substitution).
    let line: String

    init(session: Session, state: LabState, args: Arguments, sink: OutputSink, line: String) {
        self.session = session
        self.state = state
        self.args = args
        self.sink = sink
        self.line = line
    }

    /// Prints a line (or lines) of text to stdout.
    func print(_ text: String) { sink.stream(text.hasSuffix("\n") ? text : text + "\n", error: false) }
    /// Prints to stderr.
    func warn(_ text: String) { sink.stream(text.hasSuffix("\n") ? text : text + "\n", error: true) }
    /// Shows a rich result; also written to the session's figure folder when one is set.
    func display(_ bundle: MIMEBundle) {
        sink.display(bundle, displayID: nil, update: false)
        state.saveFigure(bundle)
    }
    /// The command's value (Jupyter execute_result).
    func result(_ bundle: MIMEBundle) { sink.result(bundle) }
    func result(_ text: String) { sink.result(MIMEBundle(plain: text)) }

    /// Whether an interrupt was requested since this run began.
    var interrupted: Bool { session.interruptRequested }
}
