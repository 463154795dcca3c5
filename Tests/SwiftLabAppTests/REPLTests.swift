import XCTest

/// The REPL through a pseudo-terminal (driven by repl_pty_driver.py, standard-library Python).
final class REPLTests: XCTestCase {
    func testCompletionHistoryCtrlCAndCtrlD() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw XCTSkip("python3 is needed to drive a pseudo-terminal")
        }
        let work = try AppSupport.tempDir()
        let driver = AppSupport.root.appendingPathComponent("Tests/SwiftLabAppTests/repl_pty_driver.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [driver.path, AppSupport.binary.path, work.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.hasSuffix("OK\n"), text)
    }
}
