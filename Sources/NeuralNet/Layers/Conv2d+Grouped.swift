import TensorEngine

/// Convolution with output positions grouped by in-bounds taps (see `TapClasses`): one GEMM per
/// group over only the taps it reads, so zero padding is never multiplied.
///
/// Rows are permuted between NHWC order `[N*OH*OW, O]` and grouped order
/// around the GEMMs; packed weights hold each group's `[O, T_g*I]` columns.
extension Conv2d {
    func packGroupedWeights(_ tc: TapClasses) -> UnsafeMutablePointer<Float> {
        let o = outChannels, ci = inChannels, full = tc.geometry.fullK
        let pw = Tensor.reuse(packedW, shape: [o * tc.packedK])
        packedW = pw
        let w = weight.value.data
        for grp in tc.groups {
            let k = grp.taps.count * ci
            let base = pw.data + o * grp.weightOffset
            for oo in 0..<o {
                for (j, t) in grp.taps.enumerated() {
                    (base + oo * k + j * ci).update(from: w + oo * full + t * ci, count: ci)
                }
            }
        }
        return pw.data
    }

    func forwardGrouped(_ x: Tensor, _ tc: TapClasses, _ y: Tensor, mode: Mode) {
        let g = tc.geometry, o = outChannels
        let keep = mode == .train && tc.patchCount <= Conv2d.keptPatchLimit
        let a: UnsafeMutablePointer<Float>
        if keep {
            let c = Tensor.reuse(cols, shape: [tc.patchCount])
            cols = c
            a = c.data
        } else {
            a = workspace.floats(tc.patchCount)
        }
        patchesKept = keep
        tc.im2col(x.data, into: a)
        let w = packGroupedWeights(tc)
        let rows = Tensor.reuse(groupRows, shape: [g.rows, o])
        groupRows = rows
        for grp in tc.groups {
            let k = grp.taps.count * inChannels, m = g.batch * grp.positions.count
            GEMM.sgemm(transB: true, m: m, n: o, k: k, a: a + grp.patchOffset, lda: k, b: w + o * grp.weightOffset, ldb: k,
                       c: rows.data + grp.rowOffset * o, ldc: o)
        }
        tc.permuteRows(rows.data, y.data, width: o, toGrouped: false)
        Kernels.addBiasReLU(y.data, rows: g.rows, cols: o, bias: bias.map { UnsafePointer($0.value.data) }, relu: fuseReLU)
    }

    /// g0: dL/dy (ReLU-masked) `[N*OH*OW, O]` in NHWC order; bias gradient already taken.
    func backwardGrouped(_ g0: UnsafeMutablePointer<Float>, _ tc: TapClasses) -> Tensor {
        guard let x = input, let w = packedW else { preconditionFailure("Conv2d lost its input") }
        let g = tc.geometry, o = outChannels, ci = inChannels, full = g.fullK
        let a: UnsafeMutablePointer<Float>
        if patchesKept {
            a = cols!.data
        } else {
            a = workspace.floats(tc.patchCount)
            tc.im2col(x.data, into: a)
        }
        let rows = Tensor.reuse(groupRows, shape: [g.rows, o])
        groupRows = rows
        tc.permuteRows(g0, rows.data, width: o, toGrouped: true)
        let pdw = Tensor.reuse(packedDW, shape: [o * tc.packedK])
        packedDW = pdw
        let gw = weight.grad.data
        for grp in tc.groups {
            let k = grp.taps.count * ci, m = g.batch * grp.positions.count
            let d = pdw.data + o * grp.weightOffset
            GEMM.sgemm(transA: true, m: o, n: k, k: m, a: rows.data + grp.rowOffset * o, lda: o,
                       b: a + grp.patchOffset, ldb: k, beta: 0, c: d, ldc: k)
            for oo in 0..<o {
                for (j, t) in grp.taps.enumerated() {
                    Kernels.addInPlace(gw + oo * full + t * ci, d + oo * k + j * ci, count: ci)
                }
            }
        }
        let dxT = inputGradientBuffer(g)
        guard needsInputGrad else { return dxT }
        for grp in tc.groups {
            let k = grp.taps.count * ci, m = g.batch * grp.positions.count
            GEMM.sgemm(m: m, n: k, k: o, a: rows.data + grp.rowOffset * o, lda: o, b: w.data + o * grp.weightOffset, ldb: k,
                       c: a + grp.patchOffset, ldc: k)
        }
        tc.col2im(a, into: dxT.data)
        return dxT
    }
}
