/// The element types a safetensors header can name, with their sizes and float conversion.
///
/// Data is always little-endian and densely packed, row-major, in the order
/// of the tensor's `shape`. Floats convert to `Float` on load (F64 rounds,
/// F16 and BF16 widen exactly); I64 is used for counters.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// Whether values convert to `Float` on load.
    public var isFloat: Bool {
        switch self {
        case .F64, .F32, .F16, .BF16: return true
        default: return false
        }
    }
}

/// Decodes little-endian scalars from raw bytes (no alignment assumed).
enum LittleEndianDecode {
    /// Converts `count` elements of `dtype` at `src` to Float into `dst`; `dtype` must be a float type.
    static func floats(_ dtype: SafetensorsDType, from src: UnsafeRawPointer, count: Int,
                       into dst: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .F32 where 1.littleEndian == 1:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * count)
        case .F32:
            for i in 0..<count {
                dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .F64:
            for i in 0..<count {
                dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .BF16:
            for i in 0..<count {
                let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                dst[i] = Float(bitPattern: UInt32(h) << 16)
            }
        case .F16:
            for i in 0..<count {
                dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        default:
            preconditionFailure("\(dtype) is not a float dtype")
        }
    }

    /// Reads `count` little-endian I64 values.
    static func int64s(from src: UnsafeRawPointer, count: Int) -> [Int64] {
        (0..<count).map { Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
    }

    /// IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
