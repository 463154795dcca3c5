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
        precondition(store.frozenEpoch == nil, "optimizer step inside ParameterStore.withFrozenValues")
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
            if wd == 0 && smallWeight {
                // The common case (the lab's Adam), eight lanes at a time, then a scalar tail.
                Self.fastKernel(p: p, g: g, m: m, v: v, range: range, weight: weight, b2: b2,
                                oneMinusBeta2: oneMinusBeta2, stepSize: stepSize, bias2Sqrt: bias2Sqrt, eps: epsilon)
                return
            }
            // lerp_ computes start + w*(end-start) for w < 0.5 and end - (end-start)*(1-w) otherwise.
            for i in range {
                let grad = wd == 0 ? g[i] : g[i] + wd * p[i]
                let diff = grad - m[i]
                let mi = smallWeight ? m[i] + weight * diff : grad - diff * (1 - weight)
                let vi = v[i] * b2 + oneMinusBeta2 * grad * grad
                m[i] = mi
                v[i] = vi
                p[i] -= stepSize * (mi / (vi.squareRoot() / bias2Sqrt + epsilon))
            }
        }
    }

    /// The no-weight-decay update over `range`, in SIMD8 lanes: the same operations in the same order
    /// per element as the scalar loop, so results are identical.
    @inline(__always)
    static func fastKernel(p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                           v: UnsafeMutablePointer<Float>, range: Range<Int>, weight: Float, b2: Float,
                           oneMinusBeta2: Float, stepSize: Float, bias2Sqrt: Float, eps: Float) {
        typealias V = SIMD8<Float>
        var i = range.lowerBound
        let (w8, b28, omb28, step8, bc8, eps8) = (V(repeating: weight), V(repeating: b2), V(repeating: oneMinusBeta2),
                                                  V(repeating: stepSize), V(repeating: bias2Sqrt), V(repeating: eps))
        while i + 8 <= range.upperBound {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let m0 = UnsafeRawPointer(m + i).loadUnaligned(as: V.self)
            let v0 = UnsafeRawPointer(v + i).loadUnaligned(as: V.self)
            let p0 = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            let mi = m0 + w8 * (gi - m0)
            let vi = v0 * b28 + omb28 * gi * gi
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(p + i).storeBytes(of: p0 - step8 * (mi / (vi.squareRoot() / bc8 + eps8)), as: V.self)
            i += 8
        }
        while i < range.upperBound {
            let grad = g[i]
            let mi = m[i] + weight * (grad - m[i])
            let vi = v[i] * b2 + oneMinusBeta2 * grad * grad
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * (mi / (vi.squareRoot() / bias2Sqrt + eps))
            i += 1
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
