import Foundation
import LabSession

/// A Jupyter notebook (nbformat 4.5) as far as Swift Lab needs it: cells with sources and outputs.
struct Notebook {
    /// One cell: markdown or code; code cells carry outputs once executed.
    struct Cell {
        var kind: String
        var source: String
        var outputs: [[String: Any]] = []
        var executionCount: Int?
    }

    var cells: [Cell]

    /// The metadata every notebook for this kernel carries.
    static var metadata: [String: Any] { [
        "kernelspec": ["name": "swift-lab", "display_name": "Swift Lab", "language": "swift-lab"],
        "language_info": ["name": "swift-lab", "version": Session.languageVersion,
                          "mimetype": "text/x-swift-lab", "file_extension": Session.fileExtension,
                          "codemirror_mode": "shell"],
    ] }

    /// Reads the cells of an .ipynb file (source as a string or a list of lines).
    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cells = root["cells"] as? [[String: Any]] else {
            throw NotebookError("\(url.path) is not a notebook (no cells list)")
        }
        self.cells = cells.map { c in
            let src: String
            if let s = c["source"] as? String { src = s }
            else if let l = c["source"] as? [String] { src = l.joined() }
            else { src = "" }
            return Cell(kind: c["cell_type"] as? String ?? "raw", source: src)
        }
    }

    init(cells: [Cell]) { self.cells = cells }

    /// The notebook as nbformat 4.5 JSON: sorted keys, one-space indent, sources as line lists,
    /// so the same cells always give the same bytes.
    func json() -> Data {
        var cellObjects: [[String: Any]] = []
        for (i, c) in cells.enumerated() {
            var o: [String: Any] = ["cell_type": c.kind, "id": String(format: "cell-%02d", i + 1),
                                    "metadata": [String: Any](), "source": Notebook.lines(c.source)]
            if c.kind == "code" {
                o["outputs"] = c.outputs
                o["execution_count"] = c.executionCount.map { $0 as Any } ?? NSNull()
            }
            cellObjects.append(o)
        }
        let root: [String: Any] = ["cells": cellObjects, "metadata": Notebook.metadata,
                                   "nbformat": 4, "nbformat_minor": 5]
        return Data((NotebookJSON.encode(root) + "\n").utf8)
    }

    /// Splits text into lines that keep their newline, as Jupyter stores sources.
    static func lines(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for ch in s {
            cur.append(ch)
            if ch == "\n" { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

}

struct NotebookError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Converts a `.lab` script to notebook cells.
///
/// The `.lab` format: lines starting `#|` are the lab's explanations in Markdown
/// (`#| ## 3. The model`); consecutive ones make one Markdown cell. Every other
/// run of lines, up to a blank line or the next `#|` line, is one code cell (a blank
/// line also ends a Markdown cell);
/// plain `#` comments stay in their code cell. The same file runs unchanged
/// with `swift-lab run`, where `#|` lines are comments.
enum LabScript {
    static func cells(from script: String) -> [Notebook.Cell] {
        var cells: [Notebook.Cell] = []
        var markdown: [String] = []
        var code: [String] = []
        func flushMarkdown() {
            while markdown.last?.isEmpty == true { markdown.removeLast() }
            if !markdown.isEmpty { cells.append(.init(kind: "markdown", source: markdown.joined(separator: "\n"))) }
            markdown = []
        }
        func flushCode() {
            if !code.isEmpty { cells.append(.init(kind: "code", source: code.joined(separator: "\n"))) }
            code = []
        }
        for raw in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("#|") {
                flushCode()
                var text = String(line.dropFirst(2))
                if text.hasPrefix(" ") { text.removeFirst() }
                markdown.append(text)
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flushCode()
                flushMarkdown()
            } else {
                flushMarkdown()
                code.append(line)
            }
        }
        flushMarkdown()
        flushCode()
        return cells
    }
}
