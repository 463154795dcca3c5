import Foundation

/// Saves and loads an optimizer's state as its own safetensors file, beside the model's.
///
/// The model file must hold only the state dict (so PyTorch's strict
/// `load_state_dict` accepts it); training resumes from both files. Layout:
/// `step` is an I64 scalar; each state buffer (`exp_avg`, `exp_avg_sq` for
/// Adam; `momentum_buffer` for SGD once it exists) is F32 `[count]` in the
/// model's engine parameter order and layout; `__metadata__` has
/// `format: swift-lab-optimizer`, `optimizer: Adam|SGD`, `parameter_count`,
/// and every hyperparameter as `hp.<name>` in decimal.
public enum OptimizerCheckpoint {
    /// Metadata value identifying an optimizer-state file.
    public static let format = "swift-lab-optimizer"

    /// Writes `optimizer`'s state to `url` atomically; `extra` is added to the file's metadata
    /// (the session stores a `pair` id shared with the model file it belongs to).
    public static func save(_ optimizer: Optimizer, to url: URL, extra: [String: String] = [:]) throws {
        let state = optimizer.exportState()
        var metadata = extra
        metadata.merge(["format": format, "optimizer": state.kind,
                        "parameter_count": "\(optimizer.store.values.count)"]) { _, ours in ours }
        for (k, v) in state.hyperparameters { metadata["hp." + k] = "\(v)" }
        var w = SafetensorsWriter(metadata: metadata)
        w.addI64("step", shape: [], values: [state.step])
        for name in state.buffers.keys.sorted() {
            let b = state.buffers[name]!
            w.addF32(name, shape: [b.count], values: b)
        }
        try w.write(to: url)
    }

    /// Reads the state at `url` into `optimizer`; on any error the optimizer is unchanged.
    ///
    /// With `pair`, the file must carry the same `pair` metadata: an optimizer file left over from
    /// another save (one interrupted between its two files) is refused rather than mixed in.
    public static func load(into optimizer: Optimizer, from url: URL, pair: String? = nil) throws {
        let file = try SafetensorsFile(contentsOf: url)
        let path = file.path
        guard file.metadata["format"] == format, let kind = file.metadata["optimizer"] else {
            throw CheckpointError.optimizerMismatch(path: path, detail: "it has no '\(format)' metadata (is it a model checkpoint?)")
        }
        if let pair, file.metadata["pair"] != pair {
            throw CheckpointError.optimizerMismatch(path: path, detail: "it was written by another save than the model file beside it (a save cut short?); load with optimizer=off, or save again")
        }
        guard let info = file.tensors["step"] else {
            throw CheckpointError.missingTensor(path: path, name: "step", missingCount: 1)
        }
        guard info.shape == [] else {
            throw CheckpointError.shapeMismatch(path: path, name: "step", expected: [], found: info.shape)
        }
        let step = try file.int64s("step")[0]
        var hyper: [String: Double] = [:]
        for (k, v) in file.metadata where k.hasPrefix("hp.") {
            guard let d = Double(v), d.isFinite else {
                throw CheckpointError.optimizerMismatch(path: path, detail: "hyperparameter \(k) = '\(v)' is not a finite number")
            }
            hyper[String(k.dropFirst(3))] = d
        }
        var buffers: [String: [Float]] = [:]
        for name in file.names where name != "step" {
            guard file.tensors[name]!.shape.count == 1 else {
                throw CheckpointError.shapeMismatch(path: path, name: name, expected: [optimizer.store.values.count],
                                                    found: file.tensors[name]!.shape)
            }
            buffers[name] = try file.floats(name)
        }
        try optimizer.importState(OptimizerState(kind: kind, step: step, hyperparameters: hyper, buffers: buffers),
                                  source: path)
    }
}
