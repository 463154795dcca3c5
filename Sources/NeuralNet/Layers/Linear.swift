import TensorEngine

/// Fully connected layer, y = x W^T + b, with PyTorch's weight layout.
///
/// x: `[N, in]` -> y: `[N, out]`; weight `[out, in]`, bias `[out]`.
public final class Linear: Layer {
    public let inFeatures: Int, outFeatures: Int
    let store: ParameterStore
    let weightIndex: Int, biasIndex: Int?
    var output: Tensor?
    var dx: Tensor?
    var input: Tensor?
    /// When false, backward skips dL/dx.
    public var needsInputGrad = true

    /// Reserves `[out, in]` weights and `[out]` bias in `store`.
    public init(store: ParameterStore, inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        precondition(inFeatures > 0 && outFeatures > 0, "bad Linear sizes")
        self.store = store
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        weightIndex = store.reserve(shape: [outFeatures, inFeatures])
        biasIndex = bias ? store.reserve(shape: [outFeatures]) : nil
    }

    public var weight: Parameter { store.parameters[weightIndex] }
    public var bias: Parameter? { biasIndex.map { store.parameters[$0] } }
    public var parameterCount: Int { outFeatures * inFeatures + (biasIndex == nil ? 0 : outFeatures) }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let n = x.shape[0]
        precondition(x.count == n * inFeatures, "Linear expects [N, \(inFeatures)], got \(x.shape)")
        input = x
        let y = Tensor.reuse(output, shape: [n, outFeatures])
        output = y
        GEMM.sgemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: x.data, lda: inFeatures,
                   b: weight.value.data, ldb: inFeatures, c: y.data, ldc: outFeatures)
        Kernels.addBiasReLU(y.data, rows: n, cols: outFeatures, bias: bias.map { UnsafePointer($0.value.data) }, relu: false)
        return y
    }

    /// dW += dy^T x, db += sum dy, dx = dy W.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward before forward") }
        let n = x.shape[0]
        GEMM.sgemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: dy.data, lda: outFeatures,
                   b: x.data, ldb: inFeatures, beta: 1, c: weight.grad.data, ldc: inFeatures)
        if let b = bias { Kernels.columnSums(dy.data, rows: n, cols: outFeatures, accumulateInto: b.grad.data) }
        let d = Tensor.reuse(dx, shape: [n, inFeatures])
        dx = d
        if needsInputGrad {
            GEMM.sgemm(m: n, n: inFeatures, k: outFeatures, a: dy.data, lda: outFeatures,
                       b: weight.value.data, ldb: inFeatures, c: d.data, ldc: inFeatures)
        }
        return d
    }
}
