/// A zero-filled, 64-byte-aligned `Float` buffer with a stable address, for the tuner's own storage
/// (prefix parameters and their gradients, optimizer moments) that kernels address by pointer.
public final class FloatBuffer: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = max(count, 0)
        let n = max(self.count, 1)
        base = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64).initializeMemory(
            as: Float.self, repeating: 0, count: n)
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        base.update(from: values, count: values.count)
    }

    deinit { base.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
    public var array: [Float] { Array(buffer) }
    public func zero() { base.update(repeating: 0, count: count) }
}
