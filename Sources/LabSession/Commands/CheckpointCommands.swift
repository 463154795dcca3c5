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
                // Both files carry one pair id, so `load` refuses an optimizer file from another save.
                // The optimizer file goes first: the model file, written last, completes the pair.
                var metadata = ["model": s.model.name, "epochs": String(s.epochsDone)]
                var note = ""
                if ctx.args.bool("optimizer"), let o = s.optimizer {
                    metadata["pair"] = UUID().uuidString
                    try OptimizerCheckpoint.save(o, to: URL(fileURLWithPath: optimizerPath(file)),
                                                 extra: ["pair": metadata["pair"]!])
                    note = " and optimizer state to \(optimizerPath(file))"
                }
                try Checkpoint.save(s.model.stateDict, to: URL(fileURLWithPath: file), metadata: metadata)
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
                let op = optimizerPath(file)
                if ctx.args.bool("optimizer"), FileManager.default.fileExists(atPath: op) {
                    let o = ctx.state.lab.optimizer.make(s.model.store)
                    try OptimizerCheckpoint.load(into: o, from: URL(fileURLWithPath: op),
                                                 pair: weights.metadata["pair"] ?? "")
                    loaded = o
                }
                try Checkpoint.load(s.model.stateDict, from: weights)
                if let loaded { s.optimizer = loaded }
                ctx.print("loaded \(file) into \(s.name)\(loaded == nil ? "" : " with optimizer state")")
            } catch {
                throw LabError("CheckpointError", "\(error)")
            }
        },
    ]

    static func optimizerPath(_ file: String) -> String {
        (file.hasSuffix(".safetensors") ? String(file.dropLast(12)) : file) + ".optim.safetensors"
    }
}
