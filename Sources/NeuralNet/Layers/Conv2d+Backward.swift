import TensorEngine

extension Conv2d {
    /// dL/dx for the last forward; accumulates dL/dW (`[O, KH, KW, I]`) and dL/db.
    ///
    /// dy: `[N, OH, OW, O]` -> dx: `[N, H, W, I]`. With `fuseReLU` dy is first
    /// masked by the forward output (in place when the layer is in a `gradientRelay`). The patch buffer (kept, or rebuilt chunk by
    /// chunk in the shared workspace) is used first for dW += dy^T x patches,
    /// then overwritten by dpatches = dy x W before col2im.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let g = geometry, let y = output else { preconditionFailure("Conv2d.backward before forward") }
        precondition(dy.count == y.count, "Conv2d.backward: dy \(dy.shape) vs output \(y.shape)")
        let m = g.rows, k = g.activeK, o = outChannels
        var g0 = dy.data
        if fuseReLU {
            if gradientRelay != nil {
                Kernels.reluBackward(dy.data, output: y.data, into: dy.data, count: y.count)
            } else {
                let md = Tensor.reuse(maskedDY, shape: y.shape)
                maskedDY = md
                Kernels.reluBackward(dy.data, output: y.data, into: md.data, count: y.count)
                g0 = md.data
            }
        }
        if let b = bias { Kernels.columnSums(g0, rows: m, cols: o, accumulateInto: b.grad.data) }
        if usedWinograd { return backwardWinograd(g0, g) }
        if let plan = unrolled { return backwardUnrolled(g0, plan) }
        if let tc = grouping { return backwardGrouped(g0, tc) }

        guard let x = input else { preconditionFailure("Conv2d lost its input") }
        let dxT = inputGradientBuffer(g)
        let w = g.allTapsActive ? weight.value.data : packedW!.data
        // dW accumulates straight into the gradient, or into packed columns scattered afterwards.
        let pdw: Tensor? = g.allTapsActive ? nil : Tensor.reuse(packedDW, shape: [o, k])
        if let pdw { packedDW = pdw }
        let dwTarget = pdw?.data ?? weight.grad.data
        let firstBeta: Float = pdw == nil ? 1 : 0
        if g.isPointwise || patchesKept {
            let a = g.isPointwise ? x.data : cols!.data
            // dW += dy^T [O, M] x patches [M, K]
            GEMM.sgemm(transA: true, m: o, n: k, k: m, a: g0, lda: o, b: a, ldb: k, beta: firstBeta, c: dwTarget, ldc: k)
            if needsInputGrad {
                if g.isPointwise {
                    GEMM.sgemm(m: m, n: k, k: o, a: g0, lda: o, b: w, ldb: k, c: dxT.data, ldc: k)
                } else {
                    GEMM.sgemm(m: m, n: k, k: o, a: g0, lda: o, b: w, ldb: k, c: a, ldc: k)
                    Im2col.col2im(a, g, into: dxT.data)
                }
            }
        } else {
            let (chunk, per, inSample) = chunking(g)
            let a = workspace.floats(chunk * per * k)
            var n0 = 0
            while n0 < g.batch {
                let nb = Swift.min(chunk, g.batch - n0)
                let sub = g.withBatch(nb)
                let dyc = g0 + n0 * per * o
                Im2col.im2col(x.data + n0 * inSample, sub, into: a)
                GEMM.sgemm(transA: true, m: o, n: k, k: nb * per, a: dyc, lda: o, b: a, ldb: k,
                           beta: n0 == 0 ? firstBeta : 1, c: dwTarget, ldc: k)
                if needsInputGrad {
                    GEMM.sgemm(m: nb * per, n: k, k: o, a: dyc, lda: o, b: w, ldb: k, c: a, ldc: k)
                    Im2col.col2im(a, sub, into: dxT.data + n0 * inSample)
                }
                n0 += nb
            }
        }
        if let pdw {
            let full = g.fullK, ci = inChannels, gw = weight.grad.data
            for oo in 0..<o {
                for (j, t) in g.taps.enumerated() {
                    Kernels.addInPlace(gw + oo * full + t * ci, pdw.data + oo * k + j * ci, count: ci)
                }
            }
        }
        return dxT
    }

    /// The tensor dL/dx `[N, H, W, I]` is written into: the relay's next buffer, or this layer's own.
    func inputGradientBuffer(_ g: ConvGeometry) -> Tensor {
        let shape = [g.batch, g.height, g.width, inChannels]
        if let relay = gradientRelay { return relay.next(shape: shape) }
        let t = Tensor.reuse(dx, shape: shape)
        dx = t
        return t
    }
}
