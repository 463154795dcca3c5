import Foundation
import TensorEngine

/// Saves and loads a model's state dict as a safetensors file that PyTorch's
/// `model.load_state_dict(safetensors.torch.load_file(path))` accepts.
///
/// The file holds exactly the state-dict entries, named as torchvision names
/// them: parameters and BatchNorm buffers as F32 in PyTorch layout (conv
/// weights OIHW), `num_batches_tracked` as an I64 scalar. Loading checks the
/// whole file against the model first (every name present, none unknown,
/// shapes, dtypes, finite values) and copies only when all of it passes, so
/// a failed load leaves the model bit-for-bit as it was. Floats may be F32,
/// F64, F16 or BF16 in the file; counters must be I64.
public enum Checkpoint {
    /// The file's `__metadata__`: `format: pt` as safetensors' PyTorch writer puts it, plus ours.
    public static func defaultMetadata() -> [String: String] {
        ["format": "pt", "producer": "swift-lab"]
    }

    /// A writer holding `state` in PyTorch layout, in state-dict order.
    public static func writer(for state: [StateEntry], metadata: [String: String] = [:]) -> SafetensorsWriter {
        var w = SafetensorsWriter(metadata: defaultMetadata().merging(metadata) { _, new in new })
        for entry in state {
            switch entry.value {
            case .parameter(let p):
                let torch = TorchLayout.toTorch(p.value.data, layout: p.layout, engineShape: p.value.shape)
                w.addF32(entry.name, shape: p.torchShape, values: torch)
            case .buffer(let t):
                w.addF32(entry.name, shape: t.shape, values: t.data)
            case .counter(let c):
                w.addI64(entry.name, shape: [], values: [c.value])
            }
        }
        return w
    }

    /// Writes `state` to `url` atomically (temporary file, fsync, rename).
    public static func save(_ state: [StateEntry], to url: URL, metadata: [String: String] = [:]) throws {
        try writer(for: state, metadata: metadata).write(to: url)
    }

    /// Loads the file at `url` into `state`; returns the file's metadata. Throws `CheckpointError`
    /// and leaves every tensor untouched when anything does not fit.
    @discardableResult
    public static func load(_ state: [StateEntry], from url: URL) throws -> [String: String] {
        let file = try SafetensorsFile(contentsOf: url)
        try load(state, from: file)
        return file.metadata
    }

    /// Loads a parsed file into `state`, validating everything before copying anything.
    public static func load(_ state: [StateEntry], from file: SafetensorsFile) throws {
        let path = file.path
        let modelNames = Set(state.map(\.name))
        let missing = state.map(\.name).filter { file.tensors[$0] == nil }
        if let first = missing.first {
            throw CheckpointError.missingTensor(path: path, name: first, missingCount: missing.count)
        }
        let unknown = file.names.filter { !modelNames.contains($0) }
        if let first = unknown.first {
            throw CheckpointError.unknownTensor(path: path, name: first, unknownCount: unknown.count)
        }
        for entry in state {
            let info = file.tensors[entry.name]!
            if info.shape != entry.torchShape {
                throw CheckpointError.shapeMismatch(path: path, name: entry.name, expected: entry.torchShape, found: info.shape)
            }
            switch entry.value {
            case .counter:
                if info.dtype != .I64 {
                    throw CheckpointError.dtypeMismatch(path: path, name: entry.name, expected: "I64", found: info.dtype.rawValue)
                }
            case .parameter, .buffer:
                if !info.dtype.isFloat {
                    throw CheckpointError.dtypeMismatch(path: path, name: entry.name,
                                                        expected: "F32 (or F64/F16/BF16)", found: info.dtype.rawValue)
                }
            }
        }
        // Decode and check every value before touching the model.
        var staged: [[Float]] = []
        var counters: [Int64] = []
        staged.reserveCapacity(state.count)
        for entry in state {
            switch entry.value {
            case .counter:
                counters.append(try file.int64s(entry.name)[0])
                staged.append([])
            case .parameter, .buffer:
                let values = try file.floats(entry.name)
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw CheckpointError.nonFinite(path: path, name: entry.name, index: bad)
                }
                staged.append(values)
            }
        }
        // Commit.
        var nextCounter = 0
        for (entry, values) in zip(state, staged) {
            switch entry.value {
            case .parameter(let p):
                values.withUnsafeBufferPointer {
                    if let src = $0.baseAddress {
                        TorchLayout.fromTorch(src, layout: p.layout, engineShape: p.value.shape, into: p.value.data)
                    }
                }
            case .buffer(let t):
                values.withUnsafeBufferPointer { if let src = $0.baseAddress { t.data.update(from: src, count: t.count) } }
            case .counter(let c):
                c.value = counters[nextCounter]
                nextCounter += 1
            }
        }
    }
}
