import Foundation

/// How numbers appear in what the project prints and in its messages, so every command writes them alike:
/// counts with their noun in the right number ("1 example", "2 examples"), thousands separated by commas
/// ("50,257"), and decimals that never read "nan" or "-nan".
public enum NumberText {
    /// `1,234,567`: digits grouped by three with commas (locale-independent, like Python's `f"{n:,}"`).
    public static func grouped<N: BinaryInteger>(_ n: N) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `1 example`, `2 examples`, `1,000 examples`; `plural` defaults to the singular plus "s".
    public static func count<N: BinaryInteger>(_ n: N, _ singular: String, plural: String? = nil) -> String {
        "\(grouped(n)) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// `x` with `digits` decimals (`12.4181`); a value that is not finite reads `undefined`, never `nan`.
    public static func decimal(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return "undefined" }
        let text = String(format: "%.\(max(0, digits))f", x)
        // -0.0000 is 0 to a reader.
        return text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." })
            ? String(text.dropFirst()) : text
    }

    /// A byte count for a person: `512 bytes`, `3.2 MB`, `1.5 GB`, `2.0 TB` (powers of 1000, as `df -H`).
    public static func bytes(_ n: Int) -> String {
        let units = ["KB", "MB", "GB", "TB", "PB", "EB"]
        guard n >= 1000 else { return count(n, "byte") }
        var value = Double(n) / 1000
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f ", value) + units[unit]
    }
}
