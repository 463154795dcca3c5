import Foundation
import TensorEngine

/// Adam with PyTorch's `torch.optim.Adam` update rule (not AdamW).
///
/// For every element, with g the gradient and p the parameter, at step t:
///
///     g  = g + weight_decay * p             (L2 penalty, only when weight_decay != 0)
///     m  = lerp(m, g, 1 - beta1)            (torch's lerp_: m + (1 - beta1) * (g - m))
///     v  = beta2 * v + (1 - beta2) * g * g
///     p -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Hyperparameters and bias corrections are doubles, as PyTorch's Python
/// floats are, rounded to Float where the element loop uses them; m and v
/// start at zero. State blocks `exp_avg` (m) and `exp_avg_sq` (v) are flat,
/// in the store's engine order.
public final class Adam: Optimizer {
    public let store: ParameterStore
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    public private(set) var stepCount: Int64 = 0
    private let m: StateBlock
    private let v: StateBlock

    /// An Adam optimizer over every parameter of `store` (PyTorch's defaults).
    public init(store: ParameterStore, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0) {
        self.store = store
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = StateBlock(count: store.values.count)
        v = StateBlock(count: store.values.count)
    }

    public func zeroGrad() { store.zeroGrad() }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let bias1 = 1 - Foundation.pow(beta1, t)
        let bias2 = 1 - Foundation.pow(beta2, t)
        // Scalars are doubles (Python floats in PyTorch), rounded to Float where the kernels use them.
        let stepSize = Float(learningRate / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        let weight = Float(1 - beta1)
        let oneMinusBeta2 = Float(1 - beta2)
        let b2 = Float(beta2), epsilon = Float(eps), wd = Float(weightDecay)
        let smallWeight = 1 - beta1 < 0.5
        let p = store.values.data, g = store.grads.data, m = m.data, v = v.data
        forEachChunk(store.values.count) { range in
            // lerp_ computes start + w*(end-start) for w < 0.5 and end - (end-start)*(1-w) otherwise.
            for i in range {
                var grad = g[i]
                if wd != 0 { grad += wd * p[i] }
                let diff = grad - m[i]
                let mi = smallWeight ? m[i] + weight * diff : grad - diff * (1 - weight)
                let vi = v[i] * b2 + oneMinusBeta2 * grad * grad
                m[i] = mi
                v[i] = vi
                let denom = vi.squareRoot() / bias2Sqrt + epsilon
                p[i] += -stepSize * (mi / denom)
            }
        }
    }

    public func exportState() -> OptimizerState {
        OptimizerState(kind: "Adam", step: stepCount,
                       hyperparameters: ["lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": eps,
                                         "weight_decay": weightDecay],
                       buffers: ["exp_avg": m.toArray(), "exp_avg_sq": v.toArray()])
    }

    public func importState(_ state: OptimizerState, source: String = "optimizer state") throws {
        try state.validate(kind: "Adam", buffers: ["exp_avg", "exp_avg_sq"], count: m.count, source: source)
        m.load(state.buffers["exp_avg"]!)
        v.load(state.buffers["exp_avg_sq"]!)
        stepCount = state.step
        let h = state.hyperparameters
        learningRate = h["lr"] ?? learningRate
        beta1 = h["beta1"] ?? beta1
        beta2 = h["beta2"] ?? beta2
        eps = h["eps"] ?? eps
        weightDecay = h["weight_decay"] ?? weightDecay
    }
}
