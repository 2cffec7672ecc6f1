/// The element types a safetensors header may name (the Rust crate's `Dtype`, byte-sized ones).
///
/// All are known so that offsets can be checked against `dtype × shape` for every tensor in a file;
/// only F32, F16 and BF16 can be converted to `Float` (GPT-2 checkpoints use nothing else).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3", f8e8m0 = "F8_E8M0"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64", c64 = "C64"

    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64, .c64: return 8
        }
    }

    /// Whether `convertToFloat32` accepts this type.
    public var convertsToFloat32: Bool { self == .f32 || self == .f16 || self == .bf16 }

    /// Converts `count` little-endian elements at `source` (any alignment) to `Float`.
    ///
    /// F16 goes through Swift's `Float16` (exact: every half is a float); BF16 is the upper half of a
    /// float's bits, so shifting it into place is exact too. Only call for types where
    /// `convertsToFloat32` holds.
    func convertToFloat32(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) {
        switch self {
        case .f32:
            #if _endian(little)
                // The file's byte order is the host's: a plain copy, alignment-agnostic.
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
            #else
                for i in 0..<count {
                    let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                    destination[i] = Float(bitPattern: bits)
                }
            #endif
        case .f16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(Float16(bitPattern: bits))
            }
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            preconditionFailure("convertToFloat32 called for \(rawValue); callers check convertsToFloat32")
        }
    }
}
