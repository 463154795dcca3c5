import Foundation

/// Everything that can go wrong while finding, downloading or reading a data set.
///
/// Every message is one line and names the file concerned, so the learner sees
/// what to fix rather than a stack trace.
public enum DatasetError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// A file the data set needs is not there; `hint` says how to get it.
    case missingFile(path: String, hint: String)
    /// The file ended before a whole record or header could be read.
    case truncated(path: String, detail: String)
    /// A magic number or format tag is not the expected one.
    case badMagic(path: String, found: String, expected: String)
    /// Sizes or dimensions disagree with the format or with each other.
    case badSize(path: String, detail: String)
    /// A label is not below the number of classes.
    case labelOutOfRange(path: String, index: Int, label: Int, classes: Int)
    /// A pickle holds something other than a CIFAR-10 batch.
    case unexpectedPickle(path: String, detail: String)
    /// A gzip stream is corrupt.
    case corruptGzip(path: String, detail: String)
    /// A tar entry is malformed, of an unsupported kind, or escapes the target folder.
    case badTar(path: String, detail: String)
    /// A downloaded or supplied archive has the wrong MD5.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// The archive could not be fetched; says which file, from where, its MD5 and where to put it.
    case downloadFailed(file: String, url: String, md5: String, folder: String, reason: String)
    /// A read, write or rename failed.
    case io(path: String, detail: String)
    /// The user interrupted a download; nothing of it was kept.
    case interrupted(file: String)

    public var description: String {
        switch self {
        case let .missingFile(path, hint):
            return "\(path): file not found; \(hint)"
        case let .truncated(path, detail):
            return "\(path): truncated: \(detail)"
        case let .badMagic(path, found, expected):
            return "\(path): wrong magic number \(found), expected \(expected)"
        case let .badSize(path, detail):
            return "\(path): wrong size: \(detail)"
        case let .labelOutOfRange(path, index, label, classes):
            return "\(path): label \(label) of record \(index) is out of range 0..<\(classes)"
        case let .unexpectedPickle(path, detail):
            return "\(path): not a CIFAR-10 pickle batch: \(detail)"
        case let .corruptGzip(path, detail):
            return "\(path): corrupt gzip data: \(detail)"
        case let .badTar(path, detail):
            return "\(path): refused tar archive: \(detail)"
        case let .checksumMismatch(path, expected, actual):
            return "\(path): MD5 mismatch: expected \(expected), got \(actual); the file is corrupt or incomplete"
        case let .downloadFailed(file, url, md5, folder, reason):
            return "could not download \(file) (\(reason)); without network, fetch \(url) (MD5 \(md5)) "
                + "on another machine and put it in \(folder)/ (an unpacked cifar-10-batches-bin/ or "
                + "cifar-10-batches-py/ folder there works too)"
        case let .io(path, detail):
            return "\(path): \(detail)"
        case let .interrupted(file):
            return "download of \(file) interrupted; nothing of it was kept"
        }
    }

    public var errorDescription: String? { description }
}
