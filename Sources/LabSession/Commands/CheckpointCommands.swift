import Foundation
import NeuralNet

/// Saving and loading a model (safetensors, torchvision names) and its optimizer state.
enum CheckpointCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("save", topic: "Checkpoints",
                    "Save a model's weights as safetensors with torchvision's names (and its optimizer state beside it).",
                    positional: "file",
                    arguments: [ArgumentSpec("file", .path, required: true, "the .safetensors file"),
                                ModelCommands.modelArg,
                                ArgumentSpec("optimizer", .bool, default: "on", "also save the optimizer state as FILE.optim.safetensors")]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            let file = ctx.args.string("file")!
            do {
                let note = try saveCheckpoint(s, to: file, withOptimizer: ctx.args.bool("optimizer"))
                ctx.print("saved \(s.name) (\(s.model.stateDict.count) tensors) to \(file)\(note)")
            } catch {
                throw LabError("CheckpointError", "\(error)")
            }
        },
        CommandSpec("load", topic: "Checkpoints",
                    "Load weights from a safetensors file (torchvision names) into a model; the model is unchanged if anything does not fit.",
                    positional: "file",
                    arguments: [ArgumentSpec("file", .path, required: true, "the .safetensors file"),
                                ModelCommands.modelArg,
                                ArgumentSpec("optimizer", .bool, default: "on", "also load FILE.optim.safetensors when it exists")]) { ctx in
            let s = try ctx.state.lab.requireModel(ctx.args.string("model"))
            let file = ctx.args.string("file")!
            guard FileManager.default.fileExists(atPath: file) else {
                throw LabError("FileNotFound", "no checkpoint at \(file).")
            }
            do {
                // Read and check both files before changing anything: a bad optimizer file leaves the model as it was.
                let weights = try SafetensorsFile(contentsOf: URL(fileURLWithPath: file))
                var loaded: Optimizer?
                let pair = weights.metadata["pair"]
                let pending = pair.map { pendingOptimizerPath(file, pair: $0) }
                let fm = FileManager.default
                let op = pending.flatMap { fm.fileExists(atPath: $0) ? $0 : nil } ?? optimizerPath(file)
                if ctx.args.bool("optimizer"), fm.fileExists(atPath: op) {
                    let o = ctx.state.lab.optimizer.make(s.model.store)
                    try OptimizerCheckpoint.load(into: o, from: URL(fileURLWithPath: op), pair: pair ?? "")
                    loaded = o
                }
                try Checkpoint.load(s.model.stateDict, from: weights)
                if let loaded { s.optimizer = loaded }
                // A save cut short between its last two steps left the optimizer state pending: finish it.
                if op == pending { _ = rename(op, optimizerPath(file)) }
                ctx.print("loaded \(file) into \(s.name)\(loaded == nil ? "" : " with optimizer state")")
            } catch {
                throw LabError("CheckpointError", "\(error)")
            }
        },
    ]

    /// Saves the model and (optionally) its optimizer as a pair that no crash can mismatch.
    ///
    /// Both files carry one `pair` id. The optimizer state is written (atomically) under a pending
    /// name that holds the id, then the model file (atomically: the commit point), then the pending
    /// file is renamed into place. A crash before the model's rename leaves the previous pair; a
    /// crash after it leaves the pending file, which `load` finds by the model's id and finishes.
    /// Without optimizer state, a stale optimizer file beside the model is removed after the save.
    /// Returns the note for the message ("" or " and optimizer state to ...").
    static func saveCheckpoint(_ s: ModelSlot, to file: String, withOptimizer: Bool) throws -> String {
        var metadata = ["model": s.model.name, "epochs": String(s.epochsDone)]
        let fm = FileManager.default
        let optimizer = withOptimizer ? s.optimizer : nil
        var pending: String?
        if let o = optimizer {
            let pair = UUID().uuidString
            metadata["pair"] = pair
            pending = pendingOptimizerPath(file, pair: pair)
            try OptimizerCheckpoint.save(o, to: URL(fileURLWithPath: pending!), extra: ["pair": pair])
        }
        do {
            try Checkpoint.save(s.model.stateDict, to: URL(fileURLWithPath: file), metadata: metadata)
        } catch {
            if let pending { try? fm.removeItem(atPath: pending) }
            throw error
        }
        let target = optimizerPath(file)
        if let pending {
            guard rename(pending, target) == 0 else {
                throw LabError("CheckpointError", "saved \(file) but could not move the optimizer state to \(target) (errno \(errno)); it stays in \(pending), which `load` still finds.")
            }
        } else if fm.fileExists(atPath: target) {
            try? fm.removeItem(atPath: target)
        }
        // Pending files of earlier saves that were cut short before their model file was written.
        let dir = (file as NSString).deletingLastPathComponent
        let prefix = ((optimizerPath(file) as NSString).lastPathComponent) + ".pending-"
        for name in (try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? [] where name.hasPrefix(prefix) {
            try? fm.removeItem(atPath: (dir.isEmpty ? "." : dir) + "/" + name)
        }
        return optimizer == nil ? "" : " and optimizer state to \(target)"
    }

    /// Where a save puts the optimizer state until its model file is written.
    static func pendingOptimizerPath(_ file: String, pair: String) -> String {
        optimizerPath(file) + ".pending-" + pair
    }

    static func optimizerPath(_ file: String) -> String {
        (file.hasSuffix(".safetensors") ? String(file.dropLast(12)) : file) + ".optim.safetensors"
    }
}
