import Foundation
import LabSession

/// Collects one cell's outputs as nbformat output objects (and echoes text to another sink).
final class NotebookSink: OutputSink {
    private(set) var outputs: [[String: Any]] = []
    /// Where each display id's output sits in `outputs`, for in-place updates.
    private var displayIndex: [String: Int] = [:]
    let echo: OutputSink?
    var executionCount = 0

    init(echo: OutputSink?) { self.echo = echo }

    /// Starts a new cell.
    func reset(executionCount: Int) {
        outputs = []
        displayIndex = [:]
        self.executionCount = executionCount
    }

    func stream(_ text: String, error: Bool) {
        echo?.stream(text, error: error)
        let name = error ? "stderr" : "stdout"
        if var last = outputs.last, last["output_type"] as? String == "stream", last["name"] as? String == name {
            last["text"] = (last["text"] as? String ?? "") + text
            outputs[outputs.count - 1] = last
        } else {
            outputs.append(["output_type": "stream", "name": name, "text": text])
        }
    }

    private static func data(_ b: MIMEBundle) -> [String: Any] {
        var d: [String: Any] = [:]
        for (k, v) in b.jupyterData { d[k] = v }
        return d
    }

    func display(_ bundle: MIMEBundle, displayID: String?, update: Bool) {
        echo?.display(bundle, displayID: displayID, update: update)
        let o: [String: Any] = ["output_type": "display_data", "data": NotebookSink.data(bundle), "metadata": [String: Any]()]
        if let id = displayID, let i = displayIndex[id] {
            outputs[i] = o
        } else {
            if let id = displayID { displayIndex[id] = outputs.count }
            outputs.append(o)
        }
    }

    func result(_ bundle: MIMEBundle) {
        echo?.result(bundle)
        outputs.append(["output_type": "execute_result", "data": NotebookSink.data(bundle),
                        "metadata": [String: Any](), "execution_count": executionCount])
    }

    func clear(wait: Bool) {
        echo?.clear(wait: wait)
        outputs = []
        displayIndex = [:]
    }

    /// Records a failed line as an error output.
    func error(_ e: SessionError) {
        outputs.append(["output_type": "error", "ename": e.name, "evalue": e.message,
                        "traceback": ["\(e.name) at line \(e.line): \(e.message)", "    \(e.source)"]])
    }
}
