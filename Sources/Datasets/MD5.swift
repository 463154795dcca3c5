import CCrypto
import Foundation

/// An incremental MD5 digest through OpenSSL's EVP interface, for archive checksums.
public final class MD5 {
    private let context: OpaquePointer

    /// A fresh digest.
    public init() {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        context = ctx
        guard EVP_DigestInit_ex(ctx, EVP_md5(), nil) == 1 else { fatalError("EVP_DigestInit_ex(md5) failed") }
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `count` bytes at `bytes`.
    public func update(_ bytes: UnsafeRawPointer, count: Int) {
        if count > 0 { EVP_DigestUpdate(context, bytes, count) }
    }

    /// Adds the bytes of `data`.
    public func update(_ data: Data) {
        data.withUnsafeBytes { if let base = $0.baseAddress { update(base, count: $0.count) } }
    }

    /// Adds the bytes of `bytes`.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { if let base = $0.baseAddress { update(base, count: $0.count) } }
    }

    /// The digest as 32 lowercase hex digits; the object must not be updated afterwards.
    public func hexDigest() -> String {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// The MD5 of `bytes` as hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        let m = MD5()
        m.update(bytes)
        return m.hexDigest()
    }

    /// The MD5 of the file at `path` as hex, read in 1 MiB chunks.
    public static func hex(ofFile path: String) throws -> String {
        guard let f = fopen(path, "rb") else {
            throw DatasetError.missingFile(path: path, hint: "cannot open it to verify its MD5")
        }
        defer { fclose(f) }
        let m = MD5()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = fread(buffer, 1, 1 << 20, f)
            if n == 0 { break }
            m.update(buffer, count: n)
        }
        if ferror(f) != 0 { throw DatasetError.io(path: path, detail: "read error while computing MD5") }
        return m.hexDigest()
    }
}
