import NeuralNet
import TensorEngine

/// Stops training at a NaN or infinite loss or gradient and puts the model back as it was after the last good step.
///
/// A step is: forward (which, in training mode, also moves BatchNorm's running statistics and
/// batch counters), loss, backward, optimizer step. The guard copies the BatchNorm buffers and
/// counters before each forward pass and checks the loss (before backward) and the gradients
/// (before the optimizer step). When either is not finite it restores the buffers; the weights and
/// the optimizer state were not touched yet, so the model is exactly as the last good step left it.
final class TrainingGuard {
    private let buffers: [Tensor]
    private let counters: [BatchCounter]
    private var savedBuffers: [[Float]]
    private var savedCounters: [Int64]

    /// Replaces the loss of training step `n` (counted from 1 within one `train` command); tests inject faults with it.
    nonisolated(unsafe) static var lossOverrideForTests: ((_ step: Int) -> Float?)?

    init(model: Model) {
        var b: [Tensor] = [], c: [BatchCounter] = []
        for e in model.stateDict {
            switch e.value {
            case .buffer(let t): b.append(t)
            case .counter(let k): c.append(k)
            case .parameter: continue
            }
        }
        buffers = b
        counters = c
        savedBuffers = b.map { Array(UnsafeBufferPointer(start: $0.data, count: $0.count)) }
        savedCounters = c.map(\.value)
    }

    /// Remembers the running statistics before a step's forward pass.
    func remember() {
        for (i, t) in buffers.enumerated() {
            savedBuffers[i].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: t.data, count: t.count) }
        }
        for (i, c) in counters.enumerated() { savedCounters[i] = c.value }
    }

    /// Puts the running statistics back as `remember` saw them.
    func restore() {
        for (i, t) in buffers.enumerated() {
            savedBuffers[i].withUnsafeBufferPointer { t.data.update(from: $0.baseAddress!, count: t.count) }
        }
        for (i, c) in counters.enumerated() { c.value = savedCounters[i] }
    }

    /// The loss of step `step`, after any injected test fault.
    func loss(_ computed: Float, step: Int) -> Float {
        Self.lossOverrideForTests?(step) ?? computed
    }

    /// Whether every gradient in `store` is finite.
    static func gradientsAreFinite(_ store: ParameterStore) -> Bool {
        let n = store.grads.count, g = store.grads.data
        var acc: Float = 0
        for i in 0 ..< n { acc += g[i] * 0 }  // NaN and ±inf both turn the sum into NaN
        return acc == 0
    }

    /// The one-line message for a stopped run.
    static func message(what: String, epoch: Int, batch: Int, model: String) -> String {
        "training stopped: \(what) in epoch \(epoch) at batch \(batch); \(model) keeps the weights, BatchNorm statistics and "
            + "optimizer state of the last good step (batch \(batch - 1)). Try a smaller learning rate (optimizer adam lr=0.0001)."
    }
}
