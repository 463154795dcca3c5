import TensorEngine

/// The lab's windows into ResNet-18 (LAB.md §5, §9). Results are new tensors in PyTorch layout
/// `[N, C, H, W]`. These run layers in eval mode and reuse their buffers: call them between
/// training steps, never between a forward and its backward.
extension ResNet18 {
    /// `checkInput(shape:)`, and in train mode also that every BatchNorm sees more than one value per
    /// channel (PyTorch refuses a 1-image training batch when layer4's map is 1x1).
    public func checkInput(shape: [Int], mode: Mode) throws {
        try checkInput(shape: shape)
        guard mode == .train else { return }
        let last = summary(input: [shape[3], shape[1], shape[2]]).last { $0.name == "layer4.1" }!.outputShape
        if shape[0] * last[2] * last[3] < 2 { throw ModelError.singleValueBatchNorm(batch: shape[0]) }
    }

    /// conv1 -> bn1 -> relu in eval mode. x: `[N, H, W, C]` -> `[N, width, H/2, W/2]` NCHW.
    public func firstLayerMaps(_ x: Tensor) throws -> Tensor {
        try checkInput(shape: x.shape)
        return bn1.forward(conv1.forward(x, mode: .eval), mode: .eval).nhwcToNCHW()
    }

    /// The stem output (conv1, bn1, relu, maxpool) in eval mode, NCHW `[N, width, H/4, W/4]`.
    public func stemOutput(_ x: Tensor) throws -> Tensor {
        try checkInput(shape: x.shape)
        return stem(x, mode: .eval).nhwcToNCHW()
    }

    /// Runs x through the stem and every block before `path` in eval mode, then traces that block.
    /// x: `[N, H, W, C]` NHWC; the trace is NCHW.
    public func trace(block path: String, input x: Tensor) throws -> BlockTrace {
        try checkInput(shape: x.shape)
        let target = try block(path)
        var h = stem(x, mode: .eval)
        for (p, b) in blocks {
            if p == path { break }
            h = b.forward(h, mode: .eval)
        }
        return target.trace(h)
    }

    public func summary(input: [Int]) -> [SummaryRow] {
        precondition(input.count == 3, "summary input is [C, H, W]")
        var rows: [SummaryRow] = []
        var (h, w) = conv1.outputSize(input[1], input[2])
        rows.append(SummaryRow(name: "conv1", kind: "Conv2d", outputShape: [1, width, h, w], parameters: conv1.parameterCount, depth: 0))
        rows.append(SummaryRow(name: "bn1", kind: "BatchNorm2d", outputShape: [1, width, h, w], parameters: 2 * width, depth: 0))
        rows.append(SummaryRow(name: "relu", kind: "ReLU", outputShape: [1, width, h, w], parameters: 0, depth: 0))
        (h, w) = maxpool.outputSize(h, w)
        rows.append(SummaryRow(name: "maxpool", kind: "MaxPool2d", outputShape: [1, width, h, w], parameters: 0, depth: 0))
        for (path, b) in blocks {
            let (oh, ow) = b.conv1.outputSize(h, w)
            let c = b.outChannels
            let s = [1, c, oh, ow]
            rows.append(SummaryRow(name: path, kind: "BasicBlock", outputShape: s, parameters: b.parameterCount, depth: 1, isContainer: true))
            rows.append(SummaryRow(name: path + ".conv1", kind: "Conv2d", outputShape: s, parameters: b.conv1.parameterCount, depth: 2))
            rows.append(SummaryRow(name: path + ".bn1", kind: "BatchNorm2d", outputShape: s, parameters: 2 * c, depth: 2))
            rows.append(SummaryRow(name: path + ".relu", kind: "ReLU", outputShape: s, parameters: 0, depth: 2))
            rows.append(SummaryRow(name: path + ".conv2", kind: "Conv2d", outputShape: s, parameters: b.conv2.parameterCount, depth: 2))
            rows.append(SummaryRow(name: path + ".bn2", kind: "BatchNorm2d", outputShape: s, parameters: 2 * c, depth: 2))
            if let d = b.downsample {
                rows.append(SummaryRow(name: path + ".downsample.0", kind: "Conv2d", outputShape: s, parameters: d.conv.parameterCount, depth: 2))
                rows.append(SummaryRow(name: path + ".downsample.1", kind: "BatchNorm2d", outputShape: s, parameters: 2 * c, depth: 2))
            }
            rows.append(SummaryRow(name: path + ".relu", kind: "ReLU (after add)", outputShape: s, parameters: 0, depth: 2))
            (h, w) = (oh, ow)
        }
        let f = 8 * width
        rows.append(SummaryRow(name: "avgpool", kind: "AdaptiveAvgPool2d", outputShape: [1, f, 1, 1], parameters: 0, depth: 0))
        rows.append(SummaryRow(name: "flatten", kind: "Flatten", outputShape: [1, f], parameters: 0, depth: 0))
        rows.append(SummaryRow(name: "fc", kind: "Linear", outputShape: [1, numClasses], parameters: fc.parameterCount, depth: 0))
        return rows
    }

    public func architecture(input: [Int]) -> String {
        precondition(input.count == 3, "architecture input is [C, H, W]")
        func dims(_ s: [Int]) -> String { s.dropFirst().map(String.init).joined(separator: "x") }
        let rows = summary(input: input)
        func shape(_ n: String) -> String { dims(rows.first { $0.name == n }!.outputShape) }
        var t = "ResNet-18 (torchvision topology), input \(input.map(String.init).joined(separator: "x")), \(numClasses) classes\n"
        t += "stem\n"
        t += "  conv1    conv 7x7, \(inChannels)->\(width), stride 2, padding 3, no bias   -> \(shape("conv1"))\n"
        t += "  bn1      BatchNorm(\(width))\n"
        t += "  relu\n"
        t += "  maxpool  max-pool 3x3, stride 2, padding 1                -> \(shape("maxpool"))\n"
        for (i, layer) in layers.enumerated() {
            let name = "layer\(i + 1)"
            t += "\(name) (\(layer[0].outChannels) channels)\n"
            for (j, b) in layer.enumerated() {
                let p = "\(name).\(j)"
                let ds = b.downsample != nil ? "  [downsample: conv1x1 stride \(b.stride) -> BN]" : "  [identity shortcut]"
                t += "  \(p) BasicBlock \(b.inChannels)->\(b.outChannels), stride \(b.stride)\(ds)  -> \(shape(p))\n"
                t += "      conv3x3 -> BN -> ReLU -> conv3x3 -> BN, + shortcut, -> ReLU\n"
            }
        }
        t += "head\n"
        t += "  avgpool  adaptive average pool to 1x1                     -> \(shape("avgpool"))\n"
        t += "  flatten                                                   -> \(shape("flatten"))\n"
        t += "  fc       fully connected \(8 * width) -> \(numClasses)                       -> \(numClasses)"
        return t
    }
}
