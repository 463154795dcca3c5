import TensorEngine

/// The Winograd path of `Conv2d` (3x3, stride 1, padding 1; see `Winograd4` and `Winograd`).
///
/// Forward: y `[N, H, W, O]` from x `[N, H, W, I]` through F(4x4, 3x3) with
/// weights transformed to `[36, O, I]` (F(2x2, 3x3) and `[16, O, I]` below 8
/// channels or when `Conv2d.winogradTile` is 2), once per pass or once per frozen
/// scope. Backward: dL/dW `[O, 3, 3, I]` in the same Winograd domain
/// (`Winograd4.weightGrad`, `Winograd.weightGrad`), and dL/dx `[N, H, W, I]` as a Winograd convolution
/// of dL/dy with the flipped, transposed weights `[36, I, O]`.
extension Conv2d {
    /// Whether this pass goes through Winograd (3x3 stride 1 pad 1, enough channels, maps not tiny).
    func usesWinograd(_ g: ConvGeometry, mode: Mode) -> Bool {
        Conv2d.winogradEnabled && Winograd.applies(kernel: kernelSize, stride: stride, padding: padding)
            && inChannels >= Conv2d.winogradMinChannels && Swift.min(g.height, g.width) >= Conv2d.winogradMinSide
    }

    /// Whether forward, dL/dx and dL/dW use F(4x4, 3x3) (else F(2x2, 3x3)).
    var usesLargeTiles: Bool {
        Conv2d.winogradTile == 4 && Winograd4.supports(inChannels: inChannels, outChannels: outChannels)
    }

    /// y = conv(x) through Winograd (no bias, no ReLU: the caller's epilogue adds them).
    func forwardWinograd(_ x: Tensor, _ g: ConvGeometry, into y: Tensor) {
        let large = usesLargeTiles
        let u = Tensor.reuse(winogradU, shape: [large ? 36 : 16, outChannels, inChannels])
        winogradU = u
        // Frozen weights (evaluation): the transform of the first pass serves the whole scope.
        if store.frozenEpoch == nil || winogradUEpoch != store.frozenEpoch {
            if large {
                Winograd4.transformWeights(weight.value.data, outChannels: outChannels, inChannels: inChannels, into: u.data)
            } else {
                Winograd.transformWeights(weight.value.data, outChannels: outChannels, inChannels: inChannels, into: u.data)
            }
            winogradUEpoch = store.frozenEpoch
        }
        convolveWinograd(x.data, g, u.data, inChannels: inChannels, outChannels: outChannels, large: large, into: y.data)
    }

    /// dx `[N, H, W, I]` = Winograd convolution of g0 `[N, H, W, O]` with the input-gradient weights.
    func inputGradWinograd(_ g0: UnsafePointer<Float>, _ g: ConvGeometry, into dx: Tensor) {
        let large = usesLargeTiles
        let u = Tensor.reuse(winogradU, shape: [large ? 36 : 16, inChannels, outChannels])
        winogradU = u
        winogradUEpoch = nil
        if large {
            // The flipped copy lives in packedW, unused on this path.
            let flipped = Tensor.reuse(packedW, shape: [inChannels, 3, 3, outChannels])
            packedW = flipped
            Winograd4.transformWeightsForInputGrad(weight.value.data, outChannels: outChannels, inChannels: inChannels,
                                                   flipped: flipped.data, into: u.data)
        } else {
            Winograd.transformWeightsForInputGrad(weight.value.data, outChannels: outChannels, inChannels: inChannels, into: u.data)
        }
        convolveWinograd(g0, g, u.data, inChannels: outChannels, outChannels: inChannels, large: large, into: dx.data)
    }

    /// out `[N, H, W, co]` = 3x3 "same" convolution of src `[N, H, W, ci]` with transformed weights u.
    private func convolveWinograd(_ src: UnsafePointer<Float>, _ g: ConvGeometry, _ u: UnsafePointer<Float>,
                                  inChannels ci: Int, outChannels co: Int, large: Bool, into out: UnsafeMutablePointer<Float>) {
        if large {
            let chunk = Winograd4.chunkSize(batch: g.batch, height: g.height, width: g.width)
            let scratch = workspace.floats(Winograd4.scratchFloats(chunk: chunk, height: g.height, width: g.width,
                                                                   inChannels: ci, outChannels: co))
            Winograd4.conv(src, batch: g.batch, height: g.height, width: g.width, inChannels: ci,
                           u: u, outChannels: co, into: out, scratch: scratch, chunk: chunk)
        } else {
            let chunk = Winograd.chunkSize(batch: g.batch, height: g.height, width: g.width)
            let scratch = workspace.floats(Winograd.scratchFloats(chunk: chunk, height: g.height, width: g.width,
                                                                  inChannels: ci, outChannels: co))
            Winograd.conv(src, batch: g.batch, height: g.height, width: g.width, inChannels: ci,
                          u: u, outChannels: co, into: out, scratch: scratch, chunk: chunk)
        }
    }

    /// Backward after a Winograd forward: accumulates dL/dW, returns dL/dx (g0: masked dL/dy, bias done).
    func backwardWinograd(_ g0: UnsafeMutablePointer<Float>, _ g: ConvGeometry) -> Tensor {
        guard let x = input else { preconditionFailure("Conv2d lost its input") }
        if usesLargeTiles {
            let chunk = Winograd4.weightGradChunkSize(batch: g.batch, height: g.height, width: g.width)
            let scratch = workspace.floats(Winograd4.weightGradScratchFloats(batch: g.batch, chunk: chunk, height: g.height, width: g.width,
                                                                             inChannels: inChannels, outChannels: outChannels))
            Winograd4.weightGrad(x.data, g0, batch: g.batch, height: g.height, width: g.width, inChannels: inChannels,
                                 outChannels: outChannels, accumulateInto: weight.grad.data, scratch: scratch, chunk: chunk)
        } else {
            let chunk = Winograd.weightGradChunkSize(batch: g.batch, height: g.height, width: g.width)
            let scratch = workspace.floats(Winograd.weightGradScratchFloats(batch: g.batch, chunk: chunk, height: g.height, width: g.width,
                                                                            inChannels: inChannels, outChannels: outChannels))
            Winograd.weightGrad(x.data, g0, batch: g.batch, height: g.height, width: g.width, inChannels: inChannels,
                                outChannels: outChannels, accumulateInto: weight.grad.data, scratch: scratch, chunk: chunk)
        }
        let dxT = inputGradientBuffer(g)
        if needsInputGrad { inputGradWinograd(g0, g, into: dxT) }
        return dxT
    }
}
