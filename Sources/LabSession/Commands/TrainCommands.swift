import Datasets
import Figures
import Foundation
import NeuralNet
import TensorEngine

/// §7: the optimizer, training with live progress, and the training curves.
enum TrainCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("optimizer", topic: "§7 Train",
                    "Choose the optimizer and its hyperparameters (default Adam lr 0.001, betas 0.9/0.999, eps 1e-8).",
                    positional: "kind",
                    arguments: [
                        ArgumentSpec("kind", .choice(["adam", "sgd"]), "the optimizer; without it, show the current one"),
                        ArgumentSpec("lr", .double(1e-8...10), "learning rate (default 0.001 for Adam, 0.01 for SGD)"),
                        ArgumentSpec("beta1", .double(0...0.999999), "Adam: first-moment decay (default 0.9)"),
                        ArgumentSpec("beta2", .double(0...0.999999), "Adam: second-moment decay (default 0.999)"),
                        ArgumentSpec("eps", .double(0...1), "Adam: denominator epsilon (default 1e-8)"),
                        ArgumentSpec("momentum", .double(0...0.999999), "SGD: momentum (default 0.9)"),
                        ArgumentSpec("weight-decay", .double(0...1), "L2 weight decay (default 0)"),
                    ], handler: optimizer),
        CommandSpec("train", topic: "§7 Train",
                    "Train for N epochs with cross-entropy; prints epoch, mean loss, train accuracy and seconds. Ctrl-C / interrupt stops at the next batch.",
                    arguments: [
                        ArgumentSpec("epochs", .int(1...1000), default: "5", "number of epochs"),
                        ArgumentSpec("batches", .int(0...1_000_000), default: "0", "stop each epoch after this many batches (0 = all)"),
                        ArgumentSpec("test", .bool, default: "off", "also measure test accuracy after every epoch (for the curve)"),
                        ModelCommands.modelArg,
                    ], handler: Trainer.train),
        CommandSpec("curve", topic: "§7 Train", "Chart the training loss and accuracy per epoch.",
                    positional: "model", arguments: [ModelCommands.modelArg]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            let h = s.history.filter(\.complete)
            guard !h.isEmpty else { throw LabError("NoHistory", "'\(s.name)' has not finished an epoch yet; run 'train epochs=1' first.") }
            let test = h.compactMap(\.testAccuracy).count == h.count ? h.compactMap(\.testAccuracy).map { $0 * 100 } : []
            let fig = LabFigures.trainingCurves(loss: h.map(\.loss), trainAccuracy: h.map { $0.accuracy * 100 },
                                                testAccuracy: test, name: "training-curves")
            ctx.display(FigureBundle.make(fig))
        },
    ]

    static func optimizer(_ ctx: CommandContext) throws {
        let a = ctx.args
        guard let kind = a.string("kind") else {
            if a.given.isEmpty { ctx.print("optimizer: " + ctx.state.lab.optimizer.description); return }
            throw LabError("MissingArgument", "say which optimizer first: optimizer adam ... or optimizer sgd ...")
        }
        let adamOnly = ["beta1", "beta2", "eps"], sgdOnly = ["momentum"]
        for n in (kind == "adam" ? sgdOnly : adamOnly) where a.isGiven(n) {
            throw LabError("BadArgument", "\(n) is not a setting of \(kind == "adam" ? "Adam" : "SGD").")
        }
        var o = OptimizerSettings()
        o.kind = kind
        o.learningRate = a.isGiven("lr") ? a.double("lr") : (kind == "adam" ? 0.001 : 0.01)
        if a.isGiven("beta1") { o.beta1 = a.double("beta1") }
        if a.isGiven("beta2") { o.beta2 = a.double("beta2") }
        if a.isGiven("eps") { o.eps = a.double("eps") }
        if a.isGiven("momentum") { o.momentum = a.double("momentum") }
        if a.isGiven("weight-decay") { o.weightDecay = a.double("weight-decay") }
        ctx.state.lab.optimizer = o
        let reset = ctx.state.lab.slots.filter { $0.optimizer != nil }
        for s in reset { s.optimizer = nil }
        ctx.print("optimizer: " + o.description + (reset.isEmpty ? "" : " (fresh state for \(reset.map(\.name).joined(separator: ", ")))"))
    }
}

/// The training loop: batches, loss, backward, step, progress, interrupt.
enum Trainer {
    /// Seconds between live progress updates.
    nonisolated(unsafe) static var progressInterval = 0.25

    /// BatchNorm in training mode needs at least two values per channel: a ResNet cannot train on one image a batch.
    static func requireBatchStatistics(_ model: Model, _ d: LoadedData) throws {
        guard model is ResNet18, min(d.batchSize, d.train.count) < 2 else { return }
        throw LabError("BadBatch", "BatchNorm in training mode needs at least 2 images per batch; load the data with batch=2 or more (and 2+ training images).")
    }

    static func train(_ ctx: CommandContext) throws {
        let lab = ctx.state.lab
        let d = try lab.requireData()
        let slot = try lab.requireModel(ctx.args.string("model"))
        let model = slot.model
        guard d.channels == model.inChannels, d.train.classCount <= model.numClasses else {
            throw LabError("WrongModel", "\(slot.name) takes \(model.inChannels)-channel images and \(model.numClasses) classes, the data has \(d.channels) and \(d.train.classCount); rebuild it with 'build \(slot.kind)'.")
        }
        try requireBatchStatistics(model, d)
        let epochs = ctx.args.int("epochs")
        let limit = ctx.args.int("batches")
        let optimizer = slot.optimizer ?? lab.optimizer.make(model.store)
        slot.optimizer = optimizer
        let loss = CrossEntropyLoss()
        let displayID = "train-\(slot.name)-\(slot.history.count)-\(UUID().uuidString.prefix(8))"
        var shown = false
        ctx.print("training \(slot.name) (\(model.name)) for \(epochs) epoch\(epochs == 1 ? "" : "s") on \(d.origin), \(lab.optimizer.description), batch \(d.batchSize)")
        let loader = BatchLoader(dataset: d.train, batchSize: d.batchSize, shuffle: true, augment: d.augment,
                                 seed: ctx.state.seed &+ 0x7EA1)
        defer { loader.stop() }
        let guardian = TrainingGuard(model: model)
        var step = 0
        for _ in 0..<epochs {
            let epoch = slot.epochsDone + 1
            let total = limit > 0 ? min(limit, loader.batchesPerEpoch) : loader.batchesPerEpoch
            let start = Date()
            var lastShown = Date.distantPast
            var totalLoss = 0.0, correct = 0, seen = 0, done = 0
            func progress(final: Bool) {
                let now = Date()
                guard final || now.timeIntervalSince(lastShown) >= progressInterval else { return }
                lastShown = now
                let frac = Double(done) / Double(max(total, 1))
                let bar = String(repeating: "#", count: Int(frac * 30)) + String(repeating: ".", count: 30 - Int(frac * 30))
                let text = String(format: "epoch %d [%@] %d/%d batches  loss %.4f  acc %.2f%%  %.1fs",
                                  epoch, bar, done, total, totalLoss / Double(max(done, 1)),
                                  100 * Double(correct) / Double(max(seen, 1)), now.timeIntervalSince(start))
                let html = "<progress value=\"\(done)\" max=\"\(total)\" style=\"width:30em\"></progress> <code>\(text)</code>"
                ctx.sink.display(MIMEBundle(plain: text, text: ["text/html": html]), displayID: displayID, update: shown)
                shown = true
            }
            progress(final: true)
            loader.startEpoch(epoch - 1)
            while done < total, let batch = loader.next() {
                // A last batch of one image has no batch statistics (PyTorch refuses it); skip it.
                if batch.count < 2 && model is ResNet18 { break }
                if ctx.interrupted {
                    progress(final: true)
                    let rec = EpochRecord(epoch: epoch, loss: totalLoss / Double(max(done, 1)),
                                          accuracy: Double(correct) / Double(max(seen, 1)),
                                          seconds: Date().timeIntervalSince(start), batches: done, complete: false)
                    slot.history.append(rec)
                    throw LabInterrupted(message: "training interrupted in epoch \(epoch) after \(done) of \(total) batches; \(slot.name) keeps every update so far (\(slot.epochsDone) full epoch\(slot.epochsDone == 1 ? "" : "s") done) and its optimizer state.")
                }
                let labels = batch.labelArray
                step += 1
                guardian.remember()
                let logits = model.forward(batch.images, mode: .train)
                let l = guardian.loss(loss.forward(logits, labels: labels), step: step)
                func stop(_ what: String) -> LabError {
                    guardian.restore()
                    progress(final: true)
                    slot.history.append(EpochRecord(epoch: epoch, loss: totalLoss / Double(max(done, 1)),
                                                    accuracy: Double(correct) / Double(max(seen, 1)),
                                                    seconds: Date().timeIntervalSince(start), batches: done, complete: false))
                    return LabError("NonFiniteLoss", TrainingGuard.message(what: what, epoch: epoch, batch: done + 1, model: slot.name))
                }
                guard l.isFinite else { throw stop("the loss is \(l)") }
                correct += Metrics.correctCount(logits, labels: labels)
                optimizer.zeroGrad()
                model.backward(loss.gradient)
                guard TrainingGuard.gradientsAreFinite(model.store) else { throw stop("a gradient is not finite") }
                optimizer.step()
                totalLoss += Double(l)
                seen += labels.count
                done += 1
                progress(final: false)
            }
            progress(final: true)
            var rec = EpochRecord(epoch: epoch, loss: totalLoss / Double(max(done, 1)),
                                  accuracy: Double(correct) / Double(max(seen, 1)),
                                  seconds: Date().timeIntervalSince(start), batches: done, complete: true)
            var line = String(format: "epoch %d  loss %.4f  train accuracy %.2f%%  %.1fs", rec.epoch, rec.loss, rec.accuracy * 100, rec.seconds)
            if ctx.args.bool("test") {
                let preds = try EvalCommands.predict(model, d, interrupted: { false })
                let right = zip(preds, d.test.labels).filter { $0 == Int($1) }.count
                rec.testAccuracy = Double(right) / Double(max(d.test.count, 1))
                line += String(format: "  test accuracy %.2f%%", rec.testAccuracy! * 100)
            }
            slot.history.append(rec)
            ctx.print(line)
        }
    }
}
