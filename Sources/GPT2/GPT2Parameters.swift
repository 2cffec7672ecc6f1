import Foundation

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
    public convenience init(config: GPT2Config) {
        self.init(uninitializedFor: config)
        base.update(repeating: 0, count: max(count, 1))
    }

    /// A buffer whose contents are undefined, for a caller that overwrites every value (the checkpoint
    /// loader): skipping the zero fill saves touching every page twice.
    ///
    /// Buffers of several MB are aligned to 2 MB and advised for transparent huge pages: a GPT-2 small
    /// buffer is ~500 MB, i.e. ~120 k page faults with 4 KB pages (slow in a VM) against ~240 with 2 MB
    /// pages, and fewer TLB misses when kernels stream the weights.
    init(uninitializedFor config: GPT2Config) {
        layout = ParameterLayout(config: config)
        let bytes = max(layout.totalCount, 1) * 4
        let huge = 2 << 20
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= 2 * huge ? huge : 64)
        #if os(Linux)
            if bytes >= 2 * huge { _ = madvise(raw, (bytes / huge) * huge, MADV_HUGEPAGE) }
        #endif
        base = raw.bindMemory(to: Float.self, capacity: bytes / 4)
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
