import XCTest
@testable import SwiftLabApp

/// The .lab format, the notebook converter and the committed notebook.
final class NotebookTests: XCTestCase {
    func testLabScriptCells() {
        let cells = LabScript.cells(from: "#| # Title\n#|\n#| text\n\nseed 1\n# a comment\ninfo\n\n#| more\ndata synthetic\n")
        XCTAssertEqual(cells.map(\.kind), ["markdown", "code", "markdown", "code"])
        XCTAssertEqual(cells[0].source, "# Title\n\ntext")
        XCTAssertEqual(cells[1].source, "seed 1\n# a comment\ninfo")
        XCTAssertEqual(cells[3].source, "data synthetic")
    }

    func testJSONIsJupyterStyle() {
        XCTAssertEqual(NotebookJSON.encode(["b": [String](), "a": ["x\"\n\u{1}"], "c": [String: Any]()] as [String: Any]),
                       "{\n \"a\": [\n  \"x\\\"\\n\\u0001\"\n ],\n \"b\": [],\n \"c\": {}\n}")
    }

    func testNotebookRoundTripsThroughReader() throws {
        let data = NotebookConverter.convert("#| # T\n\necho hi\nversion\n")
        let url = try AppSupport.tempDir().appendingPathComponent("n.ipynb")
        try data.write(to: url)
        let nb = try Notebook(contentsOf: url)
        XCTAssertEqual(nb.cells.map(\.kind), ["markdown", "code"])
        XCTAssertEqual(nb.cells[1].source, "echo hi\nversion")
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        let ks = (json["metadata"] as! [String: Any])["kernelspec"] as! [String: Any]
        XCTAssertEqual(ks["name"] as? String, "swift-lab")
        XCTAssertEqual(ks["language"] as? String, "swift-lab")
    }

    /// The committed notebook is exactly the conversion of the committed .lab script.
    func testCommittedNotebookMatchesLabScript() throws {
        let lab = try String(contentsOf: AppSupport.root.appendingPathComponent("Notebooks/resnet-lab.lab"), encoding: .utf8)
        let committed = try Data(contentsOf: AppSupport.root.appendingPathComponent("Notebooks/resnet-lab.ipynb"))
        XCTAssertEqual(String(decoding: NotebookConverter.convert(lab), as: UTF8.self), String(decoding: committed, as: UTF8.self),
                       "regenerate with: swift-lab notebook Notebooks/resnet-lab.lab -o Notebooks/resnet-lab.ipynb")
    }

    /// Every step of LAB.md has its commands in the lab script.
    func testLabScriptCoversEveryStep() throws {
        let lab = try String(contentsOf: AppSupport.root.appendingPathComponent("Notebooks/resnet-lab.lab"), encoding: .utf8)
        for cmd in ["info", "data ", "samples", "build resnet18", "arch", "summary", "block layer1.0", "walk layer1.0", "math",
                    "maps layer1.0", "params", "optimizer adam lr=0.001", "train epochs=", "curve", "evaluate", "features",
                    "build plain depth=10", "gradients"] {
            XCTAssertTrue(lab.contains("\n" + cmd), cmd)
        }
        for heading in (0...11).map({ "#| ## \($0)." }) { XCTAssertTrue(lab.contains(heading), heading) }
    }
}
