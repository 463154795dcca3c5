import XCTest
@testable import LabSession

/// The command language: lines, comments, continuation, errors with suggestions, variables.
final class LanguageTests: XCTestCase {
    func testEchoWarnVersionClear() {
        let s = Session()
        let (o, sink) = s.run("echo hello, world\nwarn careful now\n# a comment\n\nversion\nclear")
        XCTAssertEqual(o, .ok)
        XCTAssertEqual(sink.stdout, "hello, world\n")
        XCTAssertEqual(sink.stderr, "careful now\n")
        XCTAssertEqual(sink.results.map(\.plain), ["swift-lab 0.1.0"])
        XCTAssertEqual(sink.clears, 1)
    }

    func testContinuationAndTrailingComment() {
        let (o, sink) = Session().run("echo one \\\n  two\necho three # not this")
        XCTAssertEqual(o, .ok)
        XCTAssertEqual(sink.stdout, "one    two\nthree\n")
    }

    func testLexerTokensAndQuotes() {
        let t = Lexer.tokens(#"maps layer1.0 title="F(x) + x" n=3 # c"#)
        XCTAssertEqual(t.map(\.value), ["maps", "layer1.0", "F(x) + x", "3"])
        XCTAssertEqual(t.map(\.key), [nil, nil, "title", "n"])
        XCTAssertEqual(Lexer.lines("a\n  # c\nb \\\nc\n\n").map(\.number), [1, 3])
    }

    func testUnknownCommandSuggestsAndStops() {
        let (o, sink) = Session().run("echo before\nnosuchcommand\necho after")
        guard case .failed(let e) = o else { return XCTFail("expected failure") }
        XCTAssertEqual(e.name, "UnknownCommand")
        XCTAssertEqual(e.line, 2)
        XCTAssertEqual(e.source, "nosuchcommand")
        XCTAssertTrue(e.message.contains("help"))
        XCTAssertEqual(sink.stdout, "before\n")
        guard case .failed(let e2) = Session().run("versoin").0 else { return XCTFail() }
        XCTAssertTrue(e2.message.contains("Did you mean 'version'?"), e2.message)
        XCTAssertEqual(e2.description, "line 1: " + e2.message)
    }

    func testArgumentErrorsAreOneLineWithSuggestions() {
        let s = Session()
        func err(_ line: String) -> SessionError? {
            if case .failed(let e) = s.run(line).0 { return e }
            return nil
        }
        XCTAssertEqual(err("seed vlue=3")?.name, "UnknownArgument")
        XCTAssertTrue(err("seed vlue=3")!.message.contains("Did you mean 'value'?"))
        XCTAssertEqual(err("seed abc")?.message, "seed value='abc': expected a whole number.")
        XCTAssertEqual(err("threads 0")?.message, "threads count='0': must be in 1...256.")
        XCTAssertEqual(err("seed 1 2")?.name, "BadArgument")
        XCTAssertEqual(err("seed value=1 value=2")?.message, "argument 'value' is given twice.")
        XCTAssertEqual(err("record")?.name, "MissingArgument")
        XCTAssertEqual(err("echo ${nope}")?.name, "UnknownVariable")
        for line in ["seed vlue=3", "seed abc", "record", "echo ${nope}"] {
            XCTAssertFalse(err(line)!.message.contains("\n"), line)
        }
    }

    func testFailedLineLeavesSessionAsItWas() {
        let s = Session()
        XCTAssertEqual(s.run("seed 7").0, .ok)
        _ = s.run("seed 9 x")
        _ = s.run("let a=1 b")
        XCTAssertEqual(s.state.seed, 7)
        XCTAssertNil(s.state.variables["a"])
        XCTAssertEqual(s.run("seed").1.stdout, "seed 7\n")
    }

    func testVariablesAndOverrides() {
        let s = Session()
        s.setOverride("data", "synthetic")
        let (o, sink) = s.run("let data=cifar10 epochs=5\necho ${data} ${epochs}")
        XCTAssertEqual(o, .ok)
        XCTAssertEqual(sink.stdout, "synthetic 5\n")
    }

    func testIsComplete() {
        let s = Session()
        XCTAssertEqual(s.isComplete("train epochs=1"), .complete)
        XCTAssertEqual(s.isComplete("train \\"), .incomplete)
        XCTAssertEqual(s.isComplete("train \\\n epochs=1"), .complete)
        XCTAssertEqual(s.isComplete(""), .complete)
    }

    func testSuggestDistance() {
        XCTAssertEqual(Suggest.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggest.nearest("trian", in: ["train", "info"]), "train")
        XCTAssertNil(Suggest.nearest("zzzzzz", in: ["train", "info"]))
    }

    func testRecordingAppendsOnlySuccessfulLines() throws {
        let path = NSTemporaryDirectory() + "rec-\(UUID().uuidString).lab"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = Session()
        try s.record(to: path)
        _ = s.run("seed 3\nhelp\nseed x")
        _ = s.run("echo hi")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines, ["seed 3", "echo hi"])
    }

    func testFiguresFolderIsCheckedWhenSet() throws {
        let s = Session()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("figs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let nested = base.appendingPathComponent("a/b").path
        XCTAssertEqual(s.run("figures \(nested)").0, .ok)
        var isDir: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested, isDirectory: &isDir) && isDir.boolValue, "created at once")
        XCTAssertEqual(s.figureDirectory?.path, nested)
        let file = base.appendingPathComponent("plain.txt")
        try Data("x".utf8).write(to: file)
        let notFolder = LabFixture.error(s, "figures \(file.path)")
        XCTAssertEqual(notFolder?.name, "FileError")
        XCTAssertEqual(notFolder?.message, "'\(file.path)' is a file, not a folder; give a folder for the figures.")
        let cannot = LabFixture.error(s, "figures /proc/swift-lab-figures")
        XCTAssertEqual(cannot?.message, "cannot create the figure folder '/proc/swift-lab-figures'; give a folder you can write to.")
        XCTAssertEqual(s.figureDirectory?.path, nested, "a refused folder keeps the previous one")
        XCTAssertThrowsError(try s.writeFigures(to: file.path)) { XCTAssertTrue("\($0)".hasPrefix("FileError: '"), "\($0)") }
        XCTAssertEqual(s.run("figures off").0, .ok)
        XCTAssertNil(s.figureDirectory)
    }

    func testInterruptFlagResetsPerExecute() {
        let s = Session()
        s.requestInterrupt()
        XCTAssertTrue(s.interruptRequested)
        XCTAssertEqual(s.run("echo x").0, .ok)
        XCTAssertFalse(s.interruptRequested)
    }
}
