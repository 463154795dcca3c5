import Foundation
import NeuralNet
import TensorEngine
@testable import LabSession

/// What the robustness tests compare before and after a command: every model's bits and optimizer state.
struct SessionSnapshot: Equatable {
    var models: [String: [UInt32]] = [:]
    var optimizerSteps: [String: Int64] = [:]
    var optimizerBuffers: [String: [String: [UInt32]]] = [:]
    var current: String?
    var modelNames: [String] = []
    var dataCount: Int?
    var optimizerSettings = ""

    /// Captures the session's models (weights, BatchNorm buffers, counters), optimizers and data shape.
    init(_ s: Session) {
        let lab = s.state.lab
        for slot in lab.slots {
            var bits = UnsafeBufferPointer(start: slot.model.store.values.data, count: slot.model.store.values.count).map(\.bitPattern)
            for e in slot.model.stateDict {
                switch e.value {
                case .buffer(let t): bits += UnsafeBufferPointer(start: t.data, count: t.count).map(\.bitPattern)
                case .counter(let c): bits.append(UInt32(truncatingIfNeeded: c.value))
                case .parameter: continue
                }
            }
            models[slot.name] = bits
            if let o = slot.optimizer {
                let st = o.exportState()
                optimizerSteps[slot.name] = st.step
                optimizerBuffers[slot.name] = st.buffers.mapValues { $0.map(\.bitPattern) }
            }
        }
        current = lab.current
        modelNames = lab.modelNames
        dataCount = lab.data.map { $0.train.count * 1000 + $0.test.count }
        optimizerSettings = lab.optimizer.description
    }
}

extension SessionSnapshot {
    /// A 64-bit FNV-1a digest of every model bit and optimizer buffer (for comparing runs without keeping copies).
    var digest: UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ v: UInt32) { h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3 }
        for name in models.keys.sorted() {
            models[name]!.forEach(mix)
            for (_, b) in (optimizerBuffers[name] ?? [:]).sorted(by: { $0.key < $1.key }) { b.forEach(mix) }
            mix(UInt32(truncatingIfNeeded: optimizerSteps[name] ?? -1))
        }
        return h
    }
}

extension Session {
    /// The slot named `name` (the test fails hard when it is missing).
    func slot(_ name: String) -> ModelSlot { state.lab.slot(name)! }
}

/// Whether every weight of `model` is a finite number.
func weightsAreFinite(_ model: Model) -> Bool {
    UnsafeBufferPointer(start: model.store.values.data, count: model.store.values.count).allSatisfy(\.isFinite)
}

/// The resident set size of this process in KiB, from /proc/self/status, after malloc returned its free pages.
func residentKiB() -> Int {
    // glibc's malloc_trim (not in the Glibc module map) hands free heap pages back, so RSS shows live memory.
    if let sym = dlsym(nil, "malloc_trim") {
        _ = unsafeBitCast(sym, to: (@convention(c) (Int) -> Int32).self)(0)
    }
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
}

/// A fresh temporary folder for a test.
func robustnessTempDir(_ tag: String) -> String {
    let path = NSTemporaryDirectory() + "lab-robust-\(tag)-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
