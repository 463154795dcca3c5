import Foundation
import TensorEngine

/// A first-order optimizer that updates a `ParameterStore` in place.
///
/// Each `step()` is one fused loop over the store's contiguous `values` and
/// `grads` blocks and the optimizer's own state blocks of the same length and
/// order (engine layout), with no allocation. Update rules follow PyTorch's
/// `torch.optim` single-tensor implementations exactly.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates.
    var store: ParameterStore { get }
    /// Learning rate used by the next `step()`.
    var learningRate: Double { get set }
    /// Number of steps taken (PyTorch's `state['step']`).
    var stepCount: Int64 { get }
    /// Applies one update from the current gradients.
    func step()
    /// Sets every gradient in the store to zero.
    func zeroGrad()
    /// A copy of the optimizer's state and hyperparameters, for checkpoints.
    func exportState() -> OptimizerState
    /// Replaces the state and hyperparameters; validates first and changes nothing on error.
    func importState(_ state: OptimizerState, source: String) throws
}

/// An optimizer's resumable state: hyperparameters, step count and per-element buffers.
///
/// Buffers are flat, `store.count` floats each, in the store's engine order
/// and layout (conv weights OHWI), so they only make sense for the same model
/// built the same way.
public struct OptimizerState: Equatable {
    /// `"Adam"` or `"SGD"`.
    public var kind: String
    /// Steps taken.
    public var step: Int64
    /// Hyperparameters by name (`lr`, `beta1`, `beta2`, `eps`, `weight_decay`, `momentum`, ...).
    public var hyperparameters: [String: Double]
    /// Flat state buffers by name (`exp_avg`, `exp_avg_sq`, `momentum_buffer`).
    public var buffers: [String: [Float]]

    public init(kind: String, step: Int64, hyperparameters: [String: Double], buffers: [String: [Float]]) {
        self.kind = kind
        self.step = step
        self.hyperparameters = hyperparameters
        self.buffers = buffers
    }

    /// Checks kind, buffer names and lengths and finiteness; throws `CheckpointError.optimizerMismatch`.
    func validate(kind expectedKind: String, buffers required: [String], count: Int, source: String) throws {
        guard kind == expectedKind else {
            throw CheckpointError.optimizerMismatch(path: source, detail: "it is \(kind) state, this optimizer is \(expectedKind)")
        }
        guard step >= 0 else {
            throw CheckpointError.optimizerMismatch(path: source, detail: "step count \(step) is negative")
        }
        for name in required {
            guard let b = buffers[name] else {
                throw CheckpointError.optimizerMismatch(path: source, detail: "buffer '\(name)' is missing")
            }
            guard b.count == count else {
                throw CheckpointError.optimizerMismatch(path: source, detail:
                    "buffer '\(name)' has \(b.count) elements but the model has \(count) parameters")
            }
            if let bad = b.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError.nonFinite(path: source, name: name, index: bad)
            }
        }
        if let extra = Set(buffers.keys).subtracting(required).sorted().first {
            throw CheckpointError.optimizerMismatch(path: source, detail: "unexpected buffer '\(extra)'")
        }
        if let bad = hyperparameters.first(where: { !$0.value.isFinite }) {
            throw CheckpointError.optimizerMismatch(path: source, detail: "hyperparameter \(bad.key) is not finite")
        }
    }
}

/// Splits `0..<count` into contiguous chunks and runs `body` on them on the engine's threads when large.
///
/// An optimizer step is one pass over the whole parameter block (memory-bound), so
/// chunks of at least 256K floats on `Parallel.workers` threads halve a ResNet-18
/// step's update time on two cores.
@inline(__always)
func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
    let minimumChunk = 1 << 18
    let chunks = Swift.min(Parallel.workers, Swift.max(1, count / minimumChunk))
    let size = (count + chunks - 1) / chunks
    Parallel.run(chunks) { c in
        let lo = c * size
        if lo < count { body(lo..<Swift.min(count, lo + size)) }
    }
}

/// A zero-filled buffer of `count` floats owned by an optimizer.
final class StateBlock {
    let data: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        data = .allocate(capacity: Swift.max(count, 1))
        data.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { data.deallocate() }

    func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    func load(_ values: [Float]) {
        precondition(values.count == count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { data.update(from: b, count: count) } }
    }
}
