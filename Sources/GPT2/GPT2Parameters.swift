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

    /// A zero-filled buffer for `config`, which must have passed `GPT2Config.validate`.
    ///
    /// Large buffers come straight from the kernel as anonymous mappings, which read as zero and take no
    /// memory until a page is first written. A gradient or moment buffer of which a method touches only a
    /// few ranges (LN-Tuning: 38 k of GPT-2 small's 124 M values) then costs a few MB of resident memory,
    /// not 500 MB, and no zero-fill pass.
    public convenience init(config: GPT2Config) {
        let layout = ParameterLayout(config: config)
        let bytes = Self.byteCount(layout)
        // A refused mapping falls back to the heap, as before: these buffers are the size of a model that
        // has already been loaded, so a refusal means the machine is out of memory either way.
        let mapped = Self.mapHugePages(bytes: bytes)
        self.init(
            layout: layout, raw: mapped ?? Self.heap(bytes: bytes, zeroed: true), mappedBytes: mapped.map { _ in bytes }
        )
    }

    /// A buffer whose contents are undefined, for a caller that overwrites every value (the checkpoint
    /// loader): skipping the zero fill saves touching every page twice. A mapping the system refuses is
    /// `allocationFailed` naming `source`, not a trap in the allocator.
    convenience init(uninitializedFor layout: ParameterLayout, source: String) throws(GPT2Error) {
        let bytes = Self.byteCount(layout)
        if let mapped = Self.mapHugePages(bytes: bytes) {
            self.init(layout: layout, raw: mapped, mappedBytes: bytes)
            return
        }
        #if os(Linux)
            // Large buffers are always mapped here; after a refusal the heap allocator would trap instead.
            guard bytes < Self.heapLimit else { throw .allocationFailed(file: source, bytes: bytes) }
        #endif
        self.init(layout: layout, raw: Self.heap(bytes: bytes, zeroed: false), mappedBytes: nil)
    }

    private init(layout: ParameterLayout, raw: UnsafeMutableRawPointer, mappedBytes: Int?) {
        self.layout = layout
        self.mappedBytes = mappedBytes
        base = raw.bindMemory(to: Float.self, capacity: Self.byteCount(layout) / 4)
    }

    private static func byteCount(_ layout: ParameterLayout) -> Int { max(layout.totalCount, 1) * 4 }

    /// 2 MB: the transparent-huge-page size, and the size from which buffers are mapped rather than taken
    /// from the heap (`2 * hugePage`).
    private static let hugePage = 2 << 20
    private static let heapLimit = 2 * hugePage

    /// Buffers of several MB are aligned to 2 MB and advised for transparent huge pages: a GPT-2 small
    /// buffer is ~500 MB, i.e. ~120 k page faults with 4 KB pages (slow in a VM) against ~240 with 2 MB
    /// pages, and fewer TLB misses when kernels stream the weights. Nil for small buffers (the heap serves
    /// them), off Linux, or when the kernel refuses.
    private static func mapHugePages(bytes: Int) -> UnsafeMutableRawPointer? {
        #if os(Linux)
            guard bytes >= heapLimit, let mapped = mapAnonymous(bytes: bytes, alignment: hugePage) else { return nil }
            _ = madvise(mapped, (bytes / hugePage) * hugePage, MADV_HUGEPAGE)
            return mapped
        #else
            return nil
        #endif
    }

    private static func heap(bytes: Int, zeroed: Bool) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= heapLimit ? hugePage : 64)
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        return raw
    }

    /// The byte count of an anonymous mapping (unmapped in `deinit`), or nil for a heap allocation.
    private let mappedBytes: Int?

    deinit {
        #if os(Linux)
            if let mappedBytes {
                munmap(UnsafeMutableRawPointer(base), mappedBytes)
                return
            }
        #endif
        base.deallocate()
    }

    #if os(Linux)
        /// `bytes` of zero pages aligned to `alignment`: maps `alignment` extra bytes and returns the unused
        /// head and tail to the kernel. Nil when the kernel refuses (the caller falls back to the heap).
        private static func mapAnonymous(bytes: Int, alignment: Int) -> UnsafeMutableRawPointer? {
            let span = bytes + alignment
            guard let start = mmap(nil, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                start != MAP_FAILED
            else { return nil }
            let address = UInt(bitPattern: start)
            let aligned = (address + UInt(alignment) - 1) & ~(UInt(alignment) - 1)
            let head = Int(aligned - address)
            if head > 0 { munmap(start, head) }
            let tail = span - head - bytes
            if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + UInt(bytes)), tail) }
            return UnsafeMutableRawPointer(bitPattern: aligned)
        }
    #endif

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
