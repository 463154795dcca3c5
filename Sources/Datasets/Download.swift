import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Puts an official CIFAR-10 archive in place: download if absent, verify the MD5, extract atomically.
///
/// Nothing half-written is ever left under its final name: the download goes to
/// a hidden `.part` file that is renamed only once its MD5 matches, and the
/// archive is extracted into a hidden staging folder whose data folder is
/// renamed into place only once extraction succeeded. On any failure the
/// temporary files are removed.
public enum ArchiveInstaller {
    /// Makes `root/<archive.folderName>` exist, from `root/<archive.fileName>` or by downloading it.
    ///
    /// `interrupted` is polled ten times a second during a download; when it turns true the
    /// transfer is cancelled, the partial file removed and `DatasetError.interrupted` thrown.
    public static func install(_ archive: CIFAR10.Archive, root: String, baseURL: String,
                               progress: ((DataProgress) -> Void)?, interrupted: @escaping () -> Bool = { false }) throws {
        let fm = FileManager.default
        let archivePath = root + "/" + archive.fileName
        let url = baseURL.hasSuffix("/") ? baseURL + archive.fileName : baseURL + "/" + archive.fileName
        do { try fm.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: root, detail: "cannot create the data folder")
        }
        removeLeftovers(of: archive, in: root)
        if fm.fileExists(atPath: archivePath) {
            progress?(DataProgress(phase: .verify, file: archive.fileName, done: 0, total: nil))
            let actual = try MD5.hex(ofFile: archivePath)
            guard actual == archive.md5 else {
                throw DatasetError.checksumMismatch(path: archivePath, expected: archive.md5, actual: actual)
            }
        } else {
            let part = root + "/." + archive.fileName + ".part-\(getpid())"
            defer { try? fm.removeItem(atPath: part) }
            let actual: String
            do {
                actual = try HTTPFetcher.fetch(url: url, to: part, interrupted: interrupted) { done, total in
                    progress?(DataProgress(phase: .download, file: archive.fileName, done: done, total: total))
                }
            } catch is HTTPFetcher.Interrupted {
                throw DatasetError.interrupted(file: archive.fileName)
            } catch let reason as HTTPFetcher.Failure {
                throw DatasetError.downloadFailed(file: archive.fileName, url: url, md5: archive.md5,
                                                  folder: root, reason: reason.message)
            }
            guard actual == archive.md5 else {
                throw DatasetError.checksumMismatch(path: url, expected: archive.md5, actual: actual)
            }
            guard rename(part, archivePath) == 0 else {
                throw DatasetError.io(path: archivePath, detail: "cannot rename the finished download into place")
            }
        }
        try extract(archivePath: archivePath, folderName: archive.folderName, root: root, progress: progress)
    }

    /// Removes partial downloads and staging folders that a killed process left behind (hidden names only).
    static func removeLeftovers(of archive: CIFAR10.Archive, in root: String) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: root)) ?? []
        where name.hasPrefix("." + archive.fileName + ".part-") || name.hasPrefix(".extract-" + archive.folderName + "-") {
            try? fm.removeItem(atPath: root + "/" + name)
        }
    }

    /// Extracts `archivePath` (a .tar.gz) in a staging folder, then renames its `folderName` into `root`.
    public static func extract(archivePath: String, folderName: String, root: String,
                               progress: ((DataProgress) -> Void)?) throws {
        let fm = FileManager.default
        let staging = root + "/.extract-\(folderName)-\(getpid())"
        try? fm.removeItem(atPath: staging)
        defer { try? fm.removeItem(atPath: staging) }
        do { try fm.createDirectory(atPath: staging, withIntermediateDirectories: false) } catch {
            throw DatasetError.io(path: staging, detail: "cannot create a staging folder for extraction")
        }
        let reader = try GzipReader(path: archivePath)
        let size = ((try? FileManager.default.attributesOfItem(atPath: archivePath))?[.size] as? NSNumber)?.int64Value
        try TarExtractor.extract(from: reader, into: staging) { name, _ in
            progress?(DataProgress(phase: .extract, file: name, done: reader.compressedBytesRead, total: size))
        }
        let produced = staging + "/" + folderName
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: produced, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.badTar(path: archivePath, detail: "it holds no \(folderName)/ folder")
        }
        guard rename(produced, root + "/" + folderName) == 0 else {
            throw DatasetError.io(path: root + "/" + folderName, detail: "cannot move the extracted folder into place")
        }
    }
}

/// A minimal blocking HTTP(S) GET that streams the body to a file and returns its MD5.
enum HTTPFetcher {
    struct Failure: Error { let message: String }
    /// `interrupted` turned true; the transfer was cancelled.
    struct Interrupted: Error {}

    /// Downloads `url` into `path` (created or truncated); returns the body's MD5 as hex.
    static func fetch(url: String, to path: String, interrupted: @escaping () -> Bool = { false },
                      progress: @escaping (Int64, Int64?) -> Void) throws -> String {
        guard let target = URL(string: url) else { throw Failure(message: "bad URL \(url)") }
        guard let file = fopen(path, "wb") else { throw Failure(message: "cannot create \(path)") }
        let delegate = StreamingDelegate(file: file, progress: progress)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        config.timeoutIntervalForResource = 3600
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: delegate, delegateQueue: queue)
        let task = session.dataTask(with: target)
        task.resume()
        var cancelled = false
        while delegate.done.wait(timeout: .now() + 0.1) == .timedOut {
            if !cancelled && interrupted() {
                cancelled = true
                task.cancel()
            }
        }
        session.finishTasksAndInvalidate()
        fclose(file)
        if cancelled { throw Interrupted() }
        if let failure = delegate.failure { throw Failure(message: failure) }
        return delegate.md5.hexDigest()
    }

    /// Receives the body chunk by chunk, writing it and hashing it as it comes.
    private final class StreamingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        let file: UnsafeMutablePointer<FILE>
        let progress: (Int64, Int64?) -> Void
        let md5 = MD5()
        let done = DispatchSemaphore(value: 0)
        var failure: String?
        var received: Int64 = 0
        var reported: Int64 = 0
        var expected: Int64?

        init(file: UnsafeMutablePointer<FILE>, progress: @escaping (Int64, Int64?) -> Void) {
            self.file = file
            self.progress = progress
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                failure = "HTTP status \(http.statusCode)"
                completionHandler(.cancel)
                return
            }
            expected = response.expectedContentLength > 0 ? response.expectedContentLength : nil
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard failure == nil else { return }
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                if fwrite(base, 1, raw.count, file) != raw.count { failure = "write failed (disk full?)" }
                md5.update(base, count: raw.count)
            }
            received += Int64(data.count)
            // At most one report per MiB, and always the last one.
            if received - reported >= 1 << 20 || received == expected {
                reported = received
                progress(received, expected)
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            if failure == nil, let error {
                failure = (error as NSError).localizedDescription
            }
            if failure == nil, let expected, received != expected {
                failure = "connection closed after \(received) of \(expected) bytes"
            }
            if failure == nil, reported != received { progress(received, expected) }
            done.signal()
        }
    }
}
