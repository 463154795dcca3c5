import Foundation
import TensorEngine

/// Where a ResNet-18 step spends its time, layer by layer (`swift-lab bench --profile`).
///
/// Replays `ResNet18.forward` / `backward` one layer at a time with a clock
/// around each call, so the per-layer figures add up to a step. For finding
/// hot spots, not for comparing with PyTorch (the clock calls cost a little).
extension Benchmark {
    /// Milliseconds per step spent in one named layer call.
    public struct ProfileRow: Sendable {
        public let name: String
        public let evalMs: Double, trainForwardMs: Double, backwardMs: Double
    }

    /// Per-layer mean times over `steps` eval forwards and `steps` training forward + backward passes.
    public static func profileResNet18(batch: Int = 128, steps: Int = 5) -> [ProfileRow] {
        let model = ResNet18(inChannels: 3, numClasses: 10, width: 64, seed: 0)
        var rng = SeededRandom(seed: 42)
        let x = Tensor(shape: [batch, 32, 32, 3])
        for i in 0..<x.count { x.data[i] = rng.uniform(-1, 1) }
        let labels = (0..<batch).map { _ in rng.int(below: 10) }
        let loss = CrossEntropyLoss()
        var order: [String] = []
        var totals: [String: (Double, Double, Double)] = [:]
        var phase = 0
        var recording = false
        func timed<T>(_ name: String, _ body: () -> T) -> T {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = body()
            guard recording else { return r }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(steps)
            if totals[name] == nil { order.append(name); totals[name] = (0, 0, 0) }
            switch phase {
            case 0: totals[name]!.0 += ms
            case 1: totals[name]!.1 += ms
            default: totals[name]!.2 += ms
            }
            return r
        }
        func forward(_ mode: Mode) -> Tensor {
            var h = timed("conv1") { model.conv1.forward(x, mode: mode) }
            h = timed("bn1") { model.bn1.forward(h, mode: mode) }
            h = timed("maxpool") { model.maxpool.forward(h, mode: mode) }
            for (path, b) in model.blocks {
                let input = h
                let a = timed("\(path).conv1") { b.conv1.forward(input, mode: mode) }
                let a2 = timed("\(path).bn1") { b.bn1.forward(a, mode: mode) }
                let c = timed("\(path).conv2") { b.conv2.forward(a2, mode: mode) }
                var sc = input
                if let d = b.downsample {
                    let s = timed("\(path).downsample.0") { d.conv.forward(input, mode: mode) }
                    sc = timed("\(path).downsample.1") { d.bn.forward(s, mode: mode) }
                }
                h = timed("\(path).bn2") { b.bn2.forward(c, residual: sc, mode: mode) }
            }
            return timed("head") { model.fc.forward(model.flatten.forward(model.avgpool.forward(h, mode: mode), mode: mode), mode: mode) }
        }
        func backward(_ dLogits: Tensor) {
            var d = timed("head") { model.avgpool.backward(model.flatten.backward(model.fc.backward(dLogits))) }
            for (path, b) in model.blocks.reversed() {
                let dy = d
                let dc = timed("\(path).bn2") { b.bn2.backward(dy) }
                let dSum = b.bn2.residualGrad!
                let da = timed("\(path).conv2") { b.conv2.backward(dc) }
                let da2 = timed("\(path).bn1") { b.bn1.backward(da) }
                let dx = timed("\(path).conv1") { b.conv1.backward(da2) }
                if let ds = b.downsample {
                    let s = timed("\(path).downsample.1") { ds.bn.backward(dSum) }
                    let dxs = timed("\(path).downsample.0") { ds.conv.backward(s) }
                    timed("\(path).add") { Kernels.add(dx.data, dxs.data, into: dx.data, count: dx.count) }
                } else {
                    timed("\(path).add") { Kernels.add(dx.data, dSum.data, into: dx.data, count: dx.count) }
                }
                d = dx
            }
            let dm = timed("maxpool") { model.maxpool.backward(d) }
            let db = timed("bn1") { model.bn1.backward(dm) }
            _ = timed("conv1") { model.conv1.backward(db) }
        }
        // Eval passes as `evaluate` runs them (one frozen scope), then training passes.
        phase = 0
        model.store.withFrozenValues {
            for pass in 0..<(steps + 2) {
                recording = pass >= 2
                _ = forward(.eval)
            }
        }
        for pass in 0..<(steps + 2) {
            recording = pass >= 2
            model.store.zeroGrad()
            phase = 1
            _ = loss.forward(forward(.train), labels: labels)
            phase = 2
            backward(loss.gradient)
        }
        return order.map { ProfileRow(name: $0, evalMs: totals[$0]!.0, trainForwardMs: totals[$0]!.1, backwardMs: totals[$0]!.2) }
    }
}
