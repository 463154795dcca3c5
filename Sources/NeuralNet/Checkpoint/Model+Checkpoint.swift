import Foundation

/// Saving and loading a whole model through its torchvision-named state dict.
extension Model {
    /// Writes the model's state dict to `url` as safetensors (PyTorch names and layouts), atomically.
    public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
        try Checkpoint.save(stateDict, to: url, metadata: ["model": name].merging(metadata) { _, new in new })
    }

    /// Loads a safetensors state dict (ours or PyTorch's) into the model; returns the file's metadata.
    /// Throws `CheckpointError` and leaves the model unchanged when anything does not fit.
    @discardableResult
    public func loadCheckpoint(from url: URL) throws -> [String: String] {
        try Checkpoint.load(stateDict, from: url)
    }
}
