/// A heap buffer with a stable address, so a test can hand the same pointer to a kernel and to the loss
/// closure of `FiniteDifference.check` without nesting `withUnsafe…` calls.
public final class TestBuffer<Element> {
    public let pointer: UnsafeMutablePointer<Element>
    public let count: Int

    public init(_ values: [Element]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(from: values, count: count)
    }

    public init(repeating value: Element, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    public var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public var readOnly: UnsafePointer<Element> { UnsafePointer(pointer) }

    public subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

extension TestBuffer where Element: Numeric {
    public convenience init(zeros count: Int) { self.init(repeating: 0, count: count) }
    public func zero() { pointer.update(repeating: 0, count: count) }
}

/// Largest |a[i] − b[i]|.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
