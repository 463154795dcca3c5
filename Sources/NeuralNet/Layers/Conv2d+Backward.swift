import TensorEngine

extension Conv2d {
    /// dL/dx for the last forward; accumulates dL/dW (`[O, KH, KW, I]`) and dL/db.
    ///
    /// dy: `[N, OH, OW, O]` -> dx: `[N, H, W, I]`. With `fuseReLU` dy is first
    /// masked by the forward output. The patch buffer (kept, or rebuilt in the
    /// shared workspace) is used first for
    /// dW = dy^T x patches, then overwritten by dpatches = dy x W before col2im.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let g = geometry, let y = output else { preconditionFailure("Conv2d.backward before forward") }
        precondition(dy.count == y.count, "Conv2d.backward: dy \(dy.shape) vs output \(y.shape)")
        let m = g.rows, k = g.activeK, o = outChannels
        var g0 = dy.data
        if fuseReLU {
            let md = Tensor.reuse(maskedDY, shape: y.shape)
            maskedDY = md
            Kernels.reluBackward(dy.data, output: y.data, into: md.data, count: y.count)
            g0 = md.data
        }
        if let b = bias { Kernels.columnSums(g0, rows: m, cols: o, accumulateInto: b.grad.data) }
        if let tc = grouping { return backwardGrouped(g0, tc) }

        guard let x = input else { preconditionFailure("Conv2d lost its input") }
        let a: UnsafeMutablePointer<Float>
        if g.isPointwise {
            a = x.data
        } else if patchesKept {
            a = cols!.data
        } else {
            a = workspace.floats(m * k)
            Im2col.im2col(x.data, g, into: a)
        }
        // dW += dy^T [O, M] x patches [M, K]
        if g.allTapsActive {
            GEMM.sgemm(transA: true, m: o, n: k, k: m, a: g0, lda: o, b: a, ldb: k, beta: 1, c: weight.grad.data, ldc: k)
        } else {
            let pdw = Tensor.reuse(packedDW, shape: [o, k])
            packedDW = pdw
            GEMM.sgemm(transA: true, m: o, n: k, k: m, a: g0, lda: o, b: a, ldb: k, beta: 0, c: pdw.data, ldc: k)
            let full = g.fullK, ci = inChannels, gw = weight.grad.data
            for oo in 0..<o {
                for (j, t) in g.taps.enumerated() {
                    Kernels.addInPlace(gw + oo * full + t * ci, pdw.data + oo * k + j * ci, count: ci)
                }
            }
        }
        let dxT = Tensor.reuse(dx, shape: [g.batch, g.height, g.width, inChannels])
        dx = dxT
        guard needsInputGrad else { return dxT }
        let w = g.allTapsActive ? weight.value.data : packedW!.data
        if g.isPointwise {
            GEMM.sgemm(m: m, n: k, k: o, a: g0, lda: o, b: w, ldb: k, c: dxT.data, ldc: k)
        } else {
            GEMM.sgemm(m: m, n: k, k: o, a: g0, lda: o, b: w, ldb: k, c: a, ldc: k)
            Im2col.col2im(a, g, into: dxT.data)
        }
        return dxT
    }
}
