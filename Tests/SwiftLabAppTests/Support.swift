import Foundation
import XCTest

/// Finds and runs the built `swift-lab` executable and the repository's files.
enum AppSupport {
    /// The repository root (two folders above this file's folder).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `swift-lab` binary next to the test bundle.
    static var binary: URL {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("swift-lab")
    }

    /// The synthetic-data settings for running the whole lab quickly.
    static let quick = ["--set", "data=synthetic", "--set", "train=96", "--set", "test=48", "--set", "batch=16",
                        "--set", "epochs=1", "--set", "batches=3", "--set", "depth=20"]

    /// Runs the binary; returns exit status, stdout and stderr. Past `timeout` seconds the
    /// process is killed and the status is -1, so a hang fails the test instead of stalling CI.
    static func run(_ args: [String], timeout: TimeInterval = 600,
                    environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        p.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        try p.run()
        let outData = Collected(), errData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.set(out.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(p.processIdentifier, SIGKILL)
            exited.wait()
        }
        group.wait()
        return (timedOut ? -1 : p.terminationStatus, outData.text, errData.text)
    }

    /// Bytes one reader thread collects for another.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// A fresh temporary folder.
    static func tempDir() throws -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("swiftlab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
