import Foundation
import JupyterKernel
import LabSession

/// Adapts the lab's Session to the kernel's interpreter protocol.
///
/// Outcomes map to Jupyter: a failed line becomes an error with the line as its
/// traceback; an interrupt becomes an "Interrupted" error after a stream line
/// saying what was kept. Cursor offsets are converted between Jupyter's code
/// points and the session's characters.
final class LabKernelInterpreter: KernelInterpreter {
    private let session: Session
    private let lock = NSLock()
    private var running = false

    init(session: Session) {
        self.session = session
    }

    let info = InterpreterInfo(
        implementation: "swift-lab",
        implementationVersion: Session.languageVersion,
        languageName: Session.languageName,
        languageVersion: Session.languageVersion,
        mimetype: "text/x-swift-lab",
        fileExtension: Session.fileExtension,
        codemirrorMode: "shell",
        pygmentsLexer: "bash",
        banner: """
        Swift Lab \(Session.languageVersion): a deep-learning lab on a BLAS-backed Swift engine.
        One command per line (`command key=value ...`, `#` comments); `help` lists the commands.
        """,
        helpLinks: [
            (text: "torchvision ResNet-18", url: "https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet18.html"),
            (text: "Deep Residual Learning (He et al., 2015)", url: "https://arxiv.org/abs/1512.03385"),
            (text: "CIFAR-10 data set", url: "https://www.cs.toronto.edu/~kriz/cifar.html"),
            (text: "Jupyter messaging protocol", url: "https://jupyter-client.readthedocs.io/en/stable/messaging.html"),
        ])

    func execute(_ request: ExecuteRequest, publisher: OutputPublisher) -> ExecuteOutcome {
        lock.lock(); running = true; lock.unlock()
        defer { lock.lock(); running = false; lock.unlock() }
        let outcome = session.execute(request.code, sink: KernelOutputSink(publisher: publisher))
        KernelMemory.release()
        switch outcome {
        case .ok:
            return .ok
        case .failed(let e):
            return .error(ename: e.name, evalue: e.message,
                          traceback: ["line \(e.line): \(e.source)", "\(e.name): \(e.message)"])
        case .interrupted(let message):
            return .error(ename: "Interrupted", evalue: message, traceback: ["Interrupted: \(message)"])
        }
    }

    func interrupt() {
        // Only a running cell is interrupted; an interrupt between cells must not stop the next one.
        lock.lock(); let isRunning = running; lock.unlock()
        if isRunning { session.requestInterrupt() }
    }

    func shutdown(restart: Bool) {}

    func complete(_ code: String, cursor: Int) -> CompletionReply {
        let c = session.complete(code, cursor: Self.characterOffset(code, scalars: cursor))
        return CompletionReply(matches: c.matches, cursorStart: Self.scalarOffset(code, characters: c.start),
                               cursorEnd: Self.scalarOffset(code, characters: c.end))
    }

    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> [String: Any]? {
        session.inspect(code, cursor: Self.characterOffset(code, scalars: cursor))?.jupyterData
    }

    func isComplete(_ code: String) -> CompletenessReply {
        CompletenessReply(status: session.isComplete(code).rawValue, indent: "")
    }

    /// The Character offset of a Unicode-scalar offset into `text` (clamped to its length).
    static func characterOffset(_ text: String, scalars: Int) -> Int {
        var seen = 0
        var characters = 0
        for character in text {
            let n = character.unicodeScalars.count
            if seen + n > scalars { break }
            seen += n
            characters += 1
        }
        return characters
    }

    /// The Unicode-scalar offset of a Character offset into `text` (clamped to its length).
    static func scalarOffset(_ text: String, characters: Int) -> Int {
        let clamped = min(max(0, characters), text.count)
        let index = text.index(text.startIndex, offsetBy: clamped)
        return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: index)
    }
}

/// Forwards the session's outputs to the kernel's publisher as Jupyter messages.
final class KernelOutputSink: OutputSink {
    private let publisher: OutputPublisher

    init(publisher: OutputPublisher) {
        self.publisher = publisher
    }

    func stream(_ text: String, error: Bool) {
        publisher.stream(text, stderr: error)
    }

    func display(_ bundle: MIMEBundle, displayID: String?, update: Bool) {
        publisher.display(bundle.jupyterData, metadata: [:], displayID: displayID, update: update)
    }

    func result(_ bundle: MIMEBundle) {
        publisher.executeResult(bundle.jupyterData, metadata: [:])
    }

    func clear(wait: Bool) {
        publisher.clearOutput(wait: wait)
    }
}
