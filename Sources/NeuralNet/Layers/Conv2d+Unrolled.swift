import TensorEngine

/// The unrolled small-map path of `Conv2d` (see `UnrolledConv`): one GEMM each way, batch as M.
///
/// x `[N, H, W, I]` = `[N, H*W*I]`, y `[N, OH, OW, O]` = `[N, OH*OW*O]`,
/// Wu `[OH*OW*O, H*W*I]` unrolled from W `[O, KH, KW, I]` each forward (once per
/// frozen scope in evaluation) and kept for backward.
extension Conv2d {
    /// The unrolled weights for this pass, rebuilt unless the store is frozen and they are current.
    func unrolledWeights(_ plan: UnrolledConv) -> UnsafeMutablePointer<Float> {
        let wu = Tensor.reuse(unrolledW, shape: [plan.outFeatures, plan.inFeatures])
        if unrolledW !== wu || store.frozenEpoch == nil || unrolledEpoch != store.frozenEpoch {
            plan.unroll(weight.value.data, into: wu.data)
            unrolledEpoch = store.frozenEpoch
        }
        unrolledW = wu
        return wu.data
    }

    /// y = x Wu^T (+ bias) (then ReLU).
    func forwardUnrolled(_ x: Tensor, _ plan: UnrolledConv, _ y: Tensor) {
        let n = plan.geometry.batch, inF = plan.inFeatures, outF = plan.outFeatures
        let wu = unrolledWeights(plan)
        GEMM.sgemm(transB: true, m: n, n: outF, k: inF, a: x.data, lda: inF, b: wu, ldb: inF, c: y.data, ldc: outF)
        Kernels.addBiasReLU(y.data, rows: plan.geometry.rows, cols: outChannels,
                            bias: bias.map { UnsafePointer($0.value.data) }, relu: fuseReLU)
    }

    /// g0: dL/dy (ReLU-masked, bias done) `[N, OH*OW*O]`. dW += fold(g0^T x); returns dx = g0 Wu.
    func backwardUnrolled(_ g0: UnsafeMutablePointer<Float>, _ plan: UnrolledConv) -> Tensor {
        guard let x = input, let wu = unrolledW else { preconditionFailure("Conv2d lost its input") }
        let g = plan.geometry, inF = plan.inFeatures, outF = plan.outFeatures
        let dwu = workspace.floats(outF * inF)
        GEMM.sgemm(transA: true, m: outF, n: inF, k: g.batch, a: g0, lda: outF, b: x.data, ldb: inF, c: dwu, ldc: inF)
        plan.foldGradient(dwu, accumulateInto: weight.grad.data)
        let dxT = inputGradientBuffer(g)
        if needsInputGrad {
            GEMM.sgemm(m: g.batch, n: inF, k: outF, a: g0, lda: outF, b: wu.data, ldb: inF, c: dxT.data, ldc: inF)
        }
        return dxT
    }
}
