import CCrypto
import Foundation

/// Signs and verifies Jupyter messages with HMAC-SHA256 from libcrypto.
///
/// The signature of a message is the lowercase hex HMAC of its four JSON
/// frames (header, parent header, metadata, content) fed in that order. An
/// empty key disables signing: messages carry an empty signature and every
/// signature is accepted.
public struct HMACSigner: Sendable {
    /// The shared secret from the connection file.
    public let key: [UInt8]
    /// The scheme from the connection file; only "hmac-sha256" is supported.
    public let scheme: String

    /// Errors from building a signer.
    public enum SignerError: Error, CustomStringConvertible {
        case unsupportedScheme(String)
        public var description: String {
            switch self {
            case .unsupportedScheme(let s): return "unsupported signature scheme '\(s)' (only hmac-sha256)"
            }
        }
    }

    /// Creates a signer; throws for a scheme other than hmac-sha256 when the key is not empty.
    public init(key: String, scheme: String = "hmac-sha256") throws {
        self.key = Array(key.utf8)
        self.scheme = scheme
        if !self.key.isEmpty && scheme.lowercased() != "hmac-sha256" {
            throw SignerError.unsupportedScheme(scheme)
        }
    }

    /// Whether messages are signed at all (a non-empty key).
    public var isEnabled: Bool { !key.isEmpty }

    /// The raw HMAC-SHA256 of the concatenated `parts` under `key`.
    public static func hmacSHA256(key: [UInt8], parts: [Data]) -> [UInt8] {
        var input = Data()
        for p in parts { input.append(p) }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok: Bool = key.withUnsafeBufferPointer { k in
            input.withUnsafeBytes { (d: UnsafeRawBufferPointer) -> Bool in
                // A zero-length key must still be a valid pointer for libcrypto.
                var dummy: UInt8 = 0
                let keyPointer = UnsafeRawPointer(k.baseAddress ?? withUnsafePointer(to: &dummy) { UnsafePointer($0) })
                let dataPointer = d.baseAddress?.assumingMemoryBound(to: UInt8.self)
                return HMAC(EVP_sha256(), keyPointer, Int32(k.count), dataPointer, d.count, &out, &outLength) != nil
            }
        }
        precondition(ok, "libcrypto HMAC failed")
        return Array(out.prefix(Int(outLength)))
    }

    /// The hex signature of the four JSON frames, or "" when signing is disabled.
    public func sign(_ frames: [Data]) -> String {
        guard isEnabled else { return "" }
        return Self.hex(Self.hmacSHA256(key: key, parts: frames))
    }

    /// Whether `signature` matches the frames, compared in constant time.
    public func verify(signature: String, frames: [Data]) -> Bool {
        guard isEnabled else { return true }
        let expected = Array(sign(frames).utf8)
        let given = Array(signature.lowercased().utf8)
        guard expected.count == given.count else { return false }
        return expected.withUnsafeBufferPointer { e in
            given.withUnsafeBufferPointer { g in
                CRYPTO_memcmp(e.baseAddress, g.baseAddress, e.count) == 0
            }
        }
    }

    /// Lowercase hexadecimal digits of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
