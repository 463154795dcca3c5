import Foundation

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
