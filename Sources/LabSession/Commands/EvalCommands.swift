import Datasets
import Figures
import Foundation
import NeuralNet
import TensorEngine

/// §8-§9: test accuracy, per-class accuracy, confusion matrix, first-layer feature maps.
enum EvalCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("evaluate", topic: "§8 Evaluate",
                    "Test accuracy in eval mode, per-class accuracy and the confusion matrix.",
                    positional: "model",
                    arguments: [ModelCommands.modelArg,
                                ArgumentSpec("details", .bool, default: "on", "also show per-class accuracy and the confusion matrix")],
                    handler: evaluate),
        CommandSpec("features", topic: "§9 First-layer feature maps",
                    "Show the first channels of conv1 -> bn1 -> relu on one test image (4x4 viridis grid).",
                    arguments: [ResidualCommands.imageArg,
                                ArgumentSpec("channels", .int(1...64), default: "16", "how many of the 64 channels"),
                                ModelCommands.modelArg]) { ctx in
            let (_, net) = try ctx.state.lab.requireResNet(ctx.args.string("model"))
            let d = try ctx.state.lab.requireData()
            let x = try ResidualCommands.testImage(ctx, d, net: net)
            let maps = try net.firstLayerMaps(x)
            let n = min(ctx.args.int("channels"), maps.shape[1])
            let cols = n >= 16 ? 4 : min(4, n)
            let fig = LabFigures.featureMaps(maps.data, channels: maps.shape[1], height: maps.shape[2], width: maps.shape[3],
                                             rows: (n + cols - 1) / cols, columns: cols,
                                             title: "First Layer Feature Maps", name: "first-layer-maps")
            ctx.display(FigureBundle.make(fig))
        },
    ]

    /// Predictions for the whole test set in eval mode, in batches.
    static func predict(_ model: Model, _ d: LoadedData, interrupted: () -> Bool) throws -> [Int] {
        var preds: [Int] = []
        preds.reserveCapacity(d.test.count)
        let loader = BatchLoader(dataset: d.test, batchSize: d.batchSize, shuffle: false, augment: false, seed: 0)
        defer { loader.stop() }
        loader.startEpoch(0)
        try model.store.withFrozenValues {
            while let batch = loader.next() {
                if interrupted() { throw LabInterrupted(message: "evaluation interrupted; the model is unchanged.") }
                preds += Metrics.argmax(model.forward(batch.images, mode: .eval))
            }
        }
        return preds
    }

    static func evaluate(_ ctx: CommandContext) throws {
        let d = try ctx.state.lab.requireData()
        let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
        guard d.channels == s.model.inChannels, d.test.classCount <= s.model.numClasses else {
            throw LabError("WrongModel", "\(s.name) does not fit the loaded data; rebuild it with 'build \(s.kind)'.")
        }
        let start = Date()
        let preds = try predict(s.model, d, interrupted: { ctx.interrupted })
        let truth = d.test.labels.map { Int($0) }
        let m = ConfusionMatrix(classNames: d.classNames, truth: truth, predicted: preds.map { min($0, d.classNames.count - 1) },
                                title: "Confusion matrix (\(s.name), test set)")
        let correct = zip(preds, truth).filter { $0 == $1 }.count
        ctx.print(String(format: "test accuracy of %@: %.2f%% (%@ / %@ correct), eval mode, %.1fs", s.name,
                         100 * Double(correct) / Double(max(truth.count, 1)), Fmt.thousands(correct), Fmt.thousands(truth.count),
                         Date().timeIntervalSince(start)))
        guard ctx.args.bool("details") else { return }
        let per = m.perClassAccuracy
        let width = (d.classNames.map(\.count).max() ?? 5) + 2
        let table = zip(d.classNames, per).map { $0.padding(toLength: width, withPad: " ", startingAt: 0) + Fmt.pct($1).leftPadded(8) }
        ctx.print("per-class accuracy:\n" + table.map { "  " + $0 }.joined(separator: "\n"))
        ctx.display(FigureBundle.make(LabFigures.perClassAccuracy(classNames: d.classNames, accuracy: per)))
        ctx.display(FigureBundle.make(LabFigures.confusionMatrix(classNames: d.classNames, counts: m.counts,
                                                                 title: "Confusion matrix (\(s.name), test set)")))
    }
}
