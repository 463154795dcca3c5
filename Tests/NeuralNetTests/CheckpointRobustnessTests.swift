import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Failing checkpoint writes leave the previous file (and nothing else) behind.
final class CheckpointRobustnessTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckrobust-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

    func testTargetThatIsADirectoryFailsCleanly() throws {
        let target = dir.appendingPathComponent("ck.safetensors")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        let m = PlainCNN(inChannels: 1, numClasses: 2, depth: 1, width: 2, seed: 1)
        XCTAssertThrowsError(try Checkpoint.save(m.stateDict, to: target)) { e in
            guard case .writeFailed(let path, _)? = e as? CheckpointError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, target.path)
        }
        var isDir: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: target.path, isDirectory: &isDir) && isDir.boolValue)
        XCTAssertEqual(files(), ["ck.safetensors"], "no temporary file is left behind")
    }

    /// A save killed mid-write (SIGKILL) leaves its hidden temporary; the next save into that folder
    /// removes it when its process is gone, and leaves a live writer's and other files' temporaries alone.
    func testNextSaveRemovesTemporariesOfDeadWriters() throws {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let stale = ".ck.safetensors.tmp-\(dead)-17", live = ".ck.safetensors.tmp-\(getpid())-18"
        let other = ".other.safetensors.tmp-\(dead)-19", odd = ".ck.safetensors.tmp-notapid"
        for name in [stale, live, other, odd] { try Data("partial".utf8).write(to: dir.appendingPathComponent(name)) }
        let m = PlainCNN(inChannels: 1, numClasses: 2, depth: 1, width: 2, seed: 1)
        try Checkpoint.save(m.stateDict, to: dir.appendingPathComponent("ck.safetensors"))
        XCTAssertEqual(files(), [live, odd, other, "ck.safetensors"].sorted())
    }

    func testFolderThatIsAFileFailsCleanly() throws {
        let blocker = dir.appendingPathComponent("notadir")
        try Data("x".utf8).write(to: blocker)
        let m = PlainCNN(inChannels: 1, numClasses: 2, depth: 1, width: 2, seed: 1)
        XCTAssertThrowsError(try Checkpoint.save(m.stateDict, to: blocker.appendingPathComponent("ck.safetensors"))) {
            XCTAssertTrue("\($0)".contains("notadir"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: blocker), Data("x".utf8))
    }

    /// A write that fails half way (file size limit, as on a full disk) keeps the old checkpoint intact.
    func testShortWriteKeepsTheOldCheckpoint() throws {
        let target = dir.appendingPathComponent("ck.safetensors")
        let old = PlainCNN(inChannels: 1, numClasses: 2, depth: 1, width: 2, seed: 1)
        try Checkpoint.save(old.stateDict, to: target)
        let oldBytes = try Data(contentsOf: target)
        let big = PlainCNN(inChannels: 3, numClasses: 10, depth: 3, width: 64, seed: 2)

        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = saved
        limited.rlim_cur = rlim_t(oldBytes.count + 4096)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
        let result = Result { try Checkpoint.save(big.stateDict, to: target) }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, previousHandler)

        guard case .failure(let error) = result else { return XCTFail("the write should have failed") }
        guard case .writeFailed? = error as? CheckpointError else { return XCTFail("\(error)") }
        XCTAssertEqual(try Data(contentsOf: target), oldBytes, "the old checkpoint must be intact")
        XCTAssertEqual(files(), ["ck.safetensors"], "the temporary file is removed")
        let reread = PlainCNN(inChannels: 1, numClasses: 2, depth: 1, width: 2, seed: 7)
        try Checkpoint.load(reread.stateDict, from: target)
        XCTAssertEqual(stateBits(reread.stateDict), stateBits(old.stateDict))
    }
}
