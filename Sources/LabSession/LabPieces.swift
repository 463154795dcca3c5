import Datasets
import Foundation
import NeuralNet
import TensorEngine

/// The data sets a session has loaded, with how they are batched.
struct LoadedData {
    /// "cifar10", "fashion-mnist" or "synthetic".
    let kind: String
    let train: LabDataset
    let test: LabDataset
    var batchSize: Int
    var augment: Bool
    /// How the data set reads in reports ("CIFAR-10 from ./data").
    let origin: String
    var classNames: [String] { train.classNames }
    var channels: Int { train.channels }
    /// `[C, H, W]`, as PyTorch users write an input size.
    var inputCHW: [Int] { [train.channels, train.height, train.width] }
}

/// One finished (or interrupted) epoch of training.
struct EpochRecord: Equatable {
    let epoch: Int
    let loss: Double
    let accuracy: Double
    let seconds: Double
    let batches: Int
    let complete: Bool
    /// Test accuracy after the epoch, when `train test=on` measured it.
    var testAccuracy: Double? = nil
}

/// A named model with its optimizer and its own training history.
final class ModelSlot {
    let name: String
    /// "resnet18" or "plain".
    let kind: String
    let model: Model
    /// Created on first training step from the session's optimizer settings; replaced when they change.
    var optimizer: Optimizer?
    var history: [EpochRecord] = []
    /// Epochs completed, for epoch numbering and shuffling seeds.
    var epochsDone: Int { history.filter(\.complete).count }

    init(name: String, kind: String, model: Model) {
        self.name = name
        self.kind = kind
        self.model = model
    }
}

/// The optimizer settings every model trains with (LAB.md §7: Adam, lr 0.001, betas 0.9/0.999, eps 1e-8).
struct OptimizerSettings: Equatable {
    var kind = "adam"
    var learningRate = 0.001
    var beta1 = 0.9
    var beta2 = 0.999
    var eps = 1e-8
    var momentum = 0.9
    var weightDecay = 0.0

    /// A fresh optimizer over `store`.
    func make(_ store: ParameterStore) -> Optimizer {
        kind == "sgd"
            ? SGD(store: store, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
            : Adam(store: store, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    var description: String {
        kind == "sgd"
            ? "SGD lr=\(Fmt.g(learningRate)) momentum=\(Fmt.g(momentum)) weight-decay=\(Fmt.g(weightDecay))"
            : "Adam lr=\(Fmt.g(learningRate)) betas=(\(Fmt.g(beta1)), \(Fmt.g(beta2))) eps=\(Fmt.g(eps)) weight-decay=\(Fmt.g(weightDecay))"
    }
}

/// The lab's pieces held by a session: data, named models, optimizer settings.
final class LabPieces {
    var data: LoadedData?
    /// Models in the order they were built.
    var slots: [ModelSlot] = []
    /// The model commands use when none is named.
    var current: String?
    var optimizer = OptimizerSettings()

    /// Names of the models built so far, in the order they were built.
    var modelNames: [String] { slots.map(\.name) }

    /// Block paths of the current ResNet (`layer1.0` ... `layer4.1`), for completion.
    var layerPaths: [String] {
        guard let s = slots.first(where: { $0.name == current }), s.model is ResNet18 else { return [] }
        return (1...4).flatMap { l in (0...1).map { "layer\(l).\($0)" } }
    }

    func slot(_ name: String) -> ModelSlot? { slots.first { $0.name == name } }

    /// The data, or a clear error saying how to load it.
    func requireData() throws -> LoadedData {
        guard let d = data else {
            throw LabError("DataNotLoaded", "no data loaded yet; run e.g. 'data cifar10', 'data fashion-mnist' or 'data synthetic' first.")
        }
        return d
    }

    /// The named (or current) model, or a clear error.
    func requireModel(_ name: String?) throws -> ModelSlot {
        guard let n = name ?? current else {
            throw LabError("NoModel", "no model built yet; run e.g. 'build resnet18' first.")
        }
        guard let s = slot(n) else {
            throw LabError("NoModel", "no model named '\(n)'; models are \(modelNames.isEmpty ? "none yet (build one with 'build resnet18')" : modelNames.joined(separator: ", ")).\(Suggest.hint(n, in: modelNames))")
        }
        return s
    }

    /// The named (or current) model, which must be a ResNet-18.
    func requireResNet(_ name: String?) throws -> (ModelSlot, ResNet18) {
        let s = try requireModel(name)
        guard let r = s.model as? ResNet18 else {
            throw LabError("WrongModel", "'\(s.name)' is a \(s.model.name), this step needs a ResNet-18; build one with 'build resnet18'.")
        }
        return (s, r)
    }
}

/// Number formatting for the lab's reports.
enum Fmt {
    /// 11181642 -> "11,181,642".
    static func thousands(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Short general form: 0.001, 1e-08, 0.9.
    static func g(_ d: Double) -> String { String(format: "%g", d) }

    /// A percentage with two decimals: "87.25%".
    static func pct(_ f: Double) -> String { String(format: "%.2f%%", f * 100) }

    /// A shape as PyTorch prints it: 1x64x8x8.
    static func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
}
