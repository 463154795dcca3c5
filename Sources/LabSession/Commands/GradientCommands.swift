import Figures
import Foundation
import NeuralNet
import TensorEngine

/// §10: why a deep plain CNN's gradients vanish and a ResNet's do not.
enum GradientCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("gradients", topic: "§10 Vanishing gradients",
                    "One training batch through the plain CNN and the ResNet: loss, backward, mean |grad| of the first layer and of every layer (log-scale chart).",
                    arguments: [
                        ArgumentSpec("plain", .model, default: "plain", "the plain CNN's model name"),
                        ArgumentSpec("resnet", .model, default: "resnet", "the ResNet's model name"),
                        ArgumentSpec("depth", .int(1...100), "build a fresh plain CNN of this depth for the comparison (e.g. 10, 20, 30)"),
                    ], handler: gradients),
    ]

    /// Loss, backward and per-layer mean |grad| for `model` on one batch; gradients are zeroed after.
    static func measure(_ model: Model, x: Tensor, labels: [Int32]) -> (loss: Float, layers: [(String, Double)]) {
        let ce = CrossEntropyLoss()
        model.store.zeroGrad()
        let l = ce.forward(model.forward(x, mode: .train), labels: labels)
        model.backward(ce.gradient)
        let layers = model.gradientMeans
        model.store.zeroGrad()
        return (l, layers)
    }

    static func gradients(_ ctx: CommandContext) throws {
        let lab = ctx.state.lab
        let d = try lab.requireData()
        let resnetSlot = try lab.requireModel(ctx.args.string("resnet"))
        let plainModel: Model
        if let depth = ctx.args.optionalInt("depth") {
            plainModel = PlainCNN(inChannels: d.channels, numClasses: d.train.classCount, depth: depth, width: 64,
                                  seed: ctx.state.seed &+ UInt64(depth))
        } else {
            let p = try lab.requireModel(ctx.args.string("plain"))
            plainModel = p.model
        }
        try Trainer.requireBatchStatistics(resnetSlot.model, d)
        for m in [plainModel, resnetSlot.model] where m.inChannels != d.channels {
            throw LabError("WrongModel", "\(m.name) takes \(m.inChannels)-channel images but the data has \(d.channels); rebuild it.")
        }
        let n = min(d.batchSize, d.train.count)
        let (x, labels) = DataCommands.firstTrainingBatch(d, count: n, seed: ctx.state.seed &+ 0x6AD)
        let stopped = LabInterrupted(message: "gradients interrupted; no weights changed (the measurement zeroes its gradients).")
        if ctx.interrupted { throw stopped }
        let plain = measure(plainModel, x: x, labels: labels)
        if ctx.interrupted { throw stopped }
        let res = measure(resnetSlot.model, x: x, labels: labels)
        let pFirst = plain.layers.first?.1 ?? 0, rFirst = res.layers.first?.1 ?? 0
        ctx.print(String(format: """
            one training batch of %d images, cross-entropy, backward:
              %@: loss %.4f, first-layer (%@) mean |grad| %.3e
              %@: loss %.4f, first-layer (%@) mean |grad| %.3e
              the plain network's first-layer gradient is %@ the ResNet's
            """, n,
            plainModel.name, plain.loss, plain.layers.first?.0 ?? "-", pFirst,
            resnetSlot.model.name, res.loss, res.layers.first?.0 ?? "-", rFirst,
            ratioText(pFirst, rFirst)))
        let fig = LabFigures.gradientChart(series: [(plainModel.name, plain.layers.map(\.1)), (resnetSlot.model.name, res.layers.map(\.1))],
                                           title: "Mean |gradient| per layer, input to output",
                                           pointNames: [plain.layers.map(\.0), res.layers.map(\.0)])
        ctx.display(FigureBundle.make(fig))
    }

    static func ratioText(_ p: Double, _ r: Double) -> String {
        guard p > 0, r > 0 else { return "not comparable to" }
        return p < r ? String(format: "%.3g times smaller than", r / p) : String(format: "%.3g times larger than", p / r)
    }
}
