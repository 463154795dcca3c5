import Foundation

/// Why a checkpoint could not be read, validated or written.
///
/// Every case renders as one line that says what is wrong (naming the file,
/// the tensor, expected against found) and what to do about it. Loading
/// validates everything before it copies anything, so whenever one of these
/// is thrown by a load the model (or optimizer) is exactly as it was.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file ends before the header or the data it announces.
    case truncated(path: String, detail: String)
    /// The 8-byte header length is larger than the file or than the format's 100 MB limit.
    case headerTooLarge(path: String, headerBytes: UInt64, fileBytes: Int)
    /// The JSON header is not valid JSON or not in the safetensors shape.
    case badHeader(path: String, detail: String)
    /// A tensor's `data_offsets` are out of range, overlapping, leave gaps or disagree with its shape.
    case badOffsets(path: String, name: String, detail: String)
    /// A tensor uses a dtype this reader does not convert.
    case unsupportedDType(path: String, name: String, dtype: String)
    /// The model needs a tensor the file does not have.
    case missingTensor(path: String, name: String, missingCount: Int)
    /// The file has a tensor the model does not know.
    case unknownTensor(path: String, name: String, unknownCount: Int)
    /// A tensor's shape differs from the model's.
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    /// A tensor's dtype cannot be used for this entry (for example F32 for `num_batches_tracked`).
    case dtypeMismatch(path: String, name: String, expected: String, found: String)
    /// A tensor holds NaN or infinity.
    case nonFinite(path: String, name: String, index: Int)
    /// Writing the file failed; nothing was replaced.
    case writeFailed(path: String, reason: String)
    /// An optimizer-state file does not fit this optimizer or model.
    case optimizerMismatch(path: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read checkpoint \(path): \(reason); check the path and permissions"
        case let .truncated(path, detail):
            return "checkpoint \(path) is truncated: \(detail); the copy is incomplete, save or copy it again"
        case let .headerTooLarge(path, headerBytes, fileBytes):
            return "checkpoint \(path) announces a \(headerBytes)-byte header but the file has \(fileBytes) bytes "
                + "(limit 100000000); it is not a safetensors file or it is damaged"
        case let .badHeader(path, detail):
            return "checkpoint \(path) has a bad safetensors header: \(detail); it is not a safetensors file or it is damaged"
        case let .badOffsets(path, name, detail):
            return "checkpoint \(path): tensor '\(name)' has bad data_offsets: \(detail); the file is damaged, save it again"
        case let .unsupportedDType(path, name, dtype):
            return "checkpoint \(path): tensor '\(name)' has dtype \(dtype); only F32, F64, F16, BF16 (floats) "
                + "and I64 (counters) load, so convert it with tensor.float() before saving"
        case let .missingTensor(path, name, count):
            return "checkpoint \(path) lacks tensor '\(name)'" + (count > 1 ? " (and \(count - 1) more)" : "")
                + "; it was saved from a different model: load a state dict of the same architecture"
        case let .unknownTensor(path, name, count):
            return "checkpoint \(path) has tensor '\(name)' that the model does not have"
                + (count > 1 ? " (and \(count - 1) more)" : "")
                + "; it was saved from a different model: load a state dict of the same architecture"
        case let .shapeMismatch(path, name, expected, found):
            return "checkpoint \(path): tensor '\(name)' has shape \(found) but the model expects \(expected); "
                + "build the model with the same input channels, classes and width as the saved one"
        case let .dtypeMismatch(path, name, expected, found):
            return "checkpoint \(path): tensor '\(name)' has dtype \(found) but \(expected) is needed; save it unconverted"
        case let .nonFinite(path, name, index):
            return "checkpoint \(path): tensor '\(name)' holds NaN or infinity at element \(index); "
                + "the saved training had diverged, load an earlier checkpoint"
        case let .writeFailed(path, reason):
            return "cannot write checkpoint \(path): \(reason); check the folder exists, is writable and has space"
        case let .optimizerMismatch(path, detail):
            return "optimizer state \(path) does not fit: \(detail); resume with the optimizer and model that saved it"
        }
    }

    public var errorDescription: String? { description }
}
