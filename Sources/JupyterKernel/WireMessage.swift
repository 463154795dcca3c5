import Foundation

/// One Jupyter message: routing identities, the four JSON parts and binary buffers.
///
/// On the wire it is `identities..., "<IDS|MSG>", signature, header,
/// parent_header, metadata, content, buffers...`.
public struct WireMessage {
    /// The delimiter between routing identities and the message proper.
    public static let delimiter = Data("<IDS|MSG>".utf8)
    /// The protocol version this kernel speaks.
    public static let protocolVersion = "5.3"

    public var identities: [Data]
    public var header: JSONObject
    public var parentHeader: JSONObject
    public var metadata: JSONObject
    public var content: JSONObject
    public var buffers: [Data]

    public init(identities: [Data] = [], header: JSONObject, parentHeader: JSONObject = [:],
                metadata: JSONObject = [:], content: JSONObject = [:], buffers: [Data] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// The header's msg_type ("" when absent).
    public var msgType: String { header["msg_type"] as? String ?? "" }
    /// The header's msg_id ("" when absent).
    public var msgID: String { header["msg_id"] as? String ?? "" }

    /// A fresh header for a message of `type` sent by `session`.
    public static func makeHeader(type: String, session: String, username: String = "kernel") -> JSONObject {
        [
            "msg_id": UUID().uuidString.lowercased(),
            "session": session,
            "username": username,
            "date": timestamp(),
            "msg_type": type,
            "version": protocolVersion,
        ]
    }

    /// The current time in ISO 8601 with microseconds and a UTC offset, as Jupyter writes it.
    public static func timestamp(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        let micros = Int((date.timeIntervalSince1970 - Double(t)) * 1_000_000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// The frames to send, signed with `signer`.
    public func frames(signer: HMACSigner) -> [Data] {
        let parts = [JSON.encode(header), JSON.encode(parentHeader), JSON.encode(metadata), JSON.encode(content)]
        let signature = Data(signer.sign(parts).utf8)
        return identities + [Self.delimiter, signature] + parts + buffers
    }

    /// Why a received multipart message was rejected.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingDelimiter
        case tooFewFrames(Int)
        case badSignature
        case replayed
        case badJSON(String)
        public var description: String {
            switch self {
            case .missingDelimiter: return "no <IDS|MSG> delimiter"
            case .tooFewFrames(let n): return "only \(n) frames after the delimiter (need 5)"
            case .badSignature: return "bad or missing signature"
            case .replayed: return "signature seen before (replayed message)"
            case .badJSON(let what): return "malformed JSON in \(what)"
            }
        }
    }

    /// Parses received `frames`, verifying the signature and, with `replay`, refusing repeats.
    public static func parse(_ frames: [Data], signer: HMACSigner, replay: ReplayGuard? = nil) throws -> WireMessage {
        guard let split = frames.firstIndex(of: delimiter) else { throw ParseError.missingDelimiter }
        let rest = Array(frames[(split + 1)...])
        guard rest.count >= 5 else { throw ParseError.tooFewFrames(rest.count) }
        let signature = String(decoding: rest[0], as: UTF8.self)
        let parts = Array(rest[1...4])
        if signer.isEnabled {
            guard !signature.isEmpty, signer.verify(signature: signature, frames: parts) else {
                throw ParseError.badSignature
            }
            if let replay, !replay.accept(signature) { throw ParseError.replayed }
        }
        let names = ["header", "parent_header", "metadata", "content"]
        var objects: [JSONObject] = []
        for (data, name) in zip(parts, names) {
            guard let object = try? JSON.decode(data, what: name) else { throw ParseError.badJSON(name) }
            objects.append(object)
        }
        return WireMessage(identities: Array(frames[..<split]), header: objects[0], parentHeader: objects[1],
                           metadata: objects[2], content: objects[3], buffers: Array(rest.dropFirst(5)))
    }

    /// A reply or broadcast of `type` with this message as parent, routed back to the same identities.
    public func reply(type: String, session: String, content: JSONObject, metadata: JSONObject = [:]) -> WireMessage {
        WireMessage(identities: identities, header: Self.makeHeader(type: type, session: session),
                    parentHeader: header, metadata: metadata, content: content)
    }
}
