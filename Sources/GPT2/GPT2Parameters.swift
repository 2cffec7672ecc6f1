/// One flat, 64-byte-aligned `Float` allocation holding every parameter of a model (or its gradients, or
/// an optimizer moment), addressed through a `ParameterLayout`.
///
/// A reference type on purpose: the buffer is large and shared by the model, the optimizer and the
/// adapter writer; copying it by accident would double the memory.
public final class GPT2Parameters: @unchecked Sendable {
    public let layout: ParameterLayout
    public let base: UnsafeMutablePointer<Float>
    public var count: Int { layout.totalCount }
    public var config: GPT2Config { layout.config }

    /// A zero-filled buffer for `config`.
    public init(config: GPT2Config) {
        layout = ParameterLayout(config: config)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(layout.totalCount, 1) * 4, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(layout.totalCount, 1))
    }

    deinit { base.deallocate() }

    /// The storage of one tensor.
    public subscript(tensor: GPT2Tensor) -> UnsafeMutableBufferPointer<Float> {
        let r = layout.range(tensor)
        return UnsafeMutableBufferPointer(start: base + r.lowerBound, count: r.count)
    }

    /// The whole buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// Sets every value to zero (gradients are zeroed once per step).
    public func zero() { base.update(repeating: 0, count: count) }

    /// A deep copy (e.g. a frozen reference to check that frozen weights stay bit-identical).
    public func copy() -> GPT2Parameters {
        let c = GPT2Parameters(config: config)
        c.base.update(from: base, count: count)
        return c
    }
}
