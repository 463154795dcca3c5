import TensorEngine

/// The Winograd F(2x2, 3x3) path of `Conv2d` (3x3, stride 1, padding 1; see `Winograd`).
///
/// Forward: y `[N, H, W, O]` from x `[N, H, W, I]` with weights transformed to
/// `[16, O, I]` each pass. Backward: dL/dW `[O, 3, 3, I]` in the Winograd domain
/// (`Winograd.weightGrad`), and dL/dx `[N, H, W, I]` as a Winograd convolution
/// of dL/dy with the flipped, transposed weights `[16, I, O]`.
extension Conv2d {
    /// Whether this pass goes through Winograd (3x3 stride 1 pad 1, enough channels, maps not tiny).
    func usesWinograd(_ g: ConvGeometry, mode: Mode) -> Bool {
        Conv2d.winogradEnabled && Winograd.applies(kernel: kernelSize, stride: stride, padding: padding)
            && inChannels >= Conv2d.winogradMinChannels && Swift.min(g.height, g.width) >= Conv2d.winogradMinSide
    }

    /// y = conv(x) through Winograd (no bias, no ReLU: the caller's epilogue adds them).
    func forwardWinograd(_ x: Tensor, _ g: ConvGeometry, into y: Tensor) {
        let u = Tensor.reuse(winogradU, shape: [16, outChannels, inChannels])
        winogradU = u
        // Frozen weights (evaluation): the transform of the first pass serves the whole scope.
        if store.frozenEpoch == nil || winogradUEpoch != store.frozenEpoch {
            Winograd.transformWeights(weight.value.data, outChannels: outChannels, inChannels: inChannels, into: u.data)
            winogradUEpoch = store.frozenEpoch
        }
        let chunk = Winograd.chunkSize(batch: g.batch, height: g.height, width: g.width)
        let scratch = workspace.floats(Winograd.scratchFloats(chunk: chunk, height: g.height, width: g.width,
                                                              inChannels: inChannels, outChannels: outChannels))
        Winograd.conv(x.data, batch: g.batch, height: g.height, width: g.width, inChannels: inChannels,
                      u: u.data, outChannels: outChannels, into: y.data, scratch: scratch, chunk: chunk)
    }

    /// dx `[N, H, W, I]` = Winograd convolution of g0 `[N, H, W, O]` with the input-gradient weights.
    func inputGradWinograd(_ g0: UnsafePointer<Float>, _ g: ConvGeometry, into dx: Tensor) {
        let u = Tensor.reuse(winogradU, shape: [16, inChannels, outChannels])
        winogradU = u
        winogradUEpoch = nil
        Winograd.transformWeightsForInputGrad(weight.value.data, outChannels: outChannels, inChannels: inChannels, into: u.data)
        let chunk = Winograd.chunkSize(batch: g.batch, height: g.height, width: g.width)
        let scratch = workspace.floats(Winograd.scratchFloats(chunk: chunk, height: g.height, width: g.width,
                                                              inChannels: outChannels, outChannels: inChannels))
        Winograd.conv(g0, batch: g.batch, height: g.height, width: g.width, inChannels: outChannels,
                      u: u.data, outChannels: inChannels, into: dx.data, scratch: scratch, chunk: chunk)
    }

    /// Backward after a Winograd forward: accumulates dL/dW, returns dL/dx (g0: masked dL/dy, bias done).
    func backwardWinograd(_ g0: UnsafeMutablePointer<Float>, _ g: ConvGeometry) -> Tensor {
        guard let x = input else { preconditionFailure("Conv2d lost its input") }
        let chunk = Winograd.weightGradChunkSize(batch: g.batch, height: g.height, width: g.width)
        let scratch = workspace.floats(Winograd.weightGradScratchFloats(chunk: chunk, height: g.height, width: g.width,
                                                                        inChannels: inChannels, outChannels: outChannels))
        Winograd.weightGrad(x.data, g0, batch: g.batch, height: g.height, width: g.width, inChannels: inChannels,
                            outChannels: outChannels, accumulateInto: weight.grad.data, scratch: scratch, chunk: chunk)
        let dxT = Tensor.reuse(dx, shape: [g.batch, g.height, g.width, inChannels])
        dx = dxT
        if needsInputGrad { inputGradWinograd(g0, g, into: dxT) }
        return dxT
    }
}
