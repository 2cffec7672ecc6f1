import Foundation
import GPT2

/// The trainable-parameter line users know from PEFT's `print_trainable_parameters()`:
/// `trainable params: 38,400 || all params: 124,439,808 || trainable%: 0.0309`.
///
/// "All params" counts the base model once plus any parameters a method adds (prefix slots or the prefix MLP,
/// a hook-point module such as LoRA's A and B); the tied LM head is the embedding and is not counted twice.
public struct ParameterReport: Equatable, Sendable, CustomStringConvertible {
    public let trainable: Int
    public let all: Int

    public init(trainable: Int, all: Int) {
        self.trainable = trainable
        self.all = all
    }

    public init(selection: TrainableSelection) {
        let extra =
            (selection.prefix?.trainableParameterCount(config: selection.layout.config) ?? 0)
            + selection.extensionParameterCount
        self.init(trainable: selection.baseParameterCount + extra, all: selection.layout.totalCount + extra)
    }

    public var trainablePercent: Double { all == 0 ? 0 : 100 * Double(trainable) / Double(all) }

    public var description: String {
        "trainable params: \(Self.grouped(trainable)) || all params: \(Self.grouped(all)) || trainable%: "
            + String(format: "%.4f", trainablePercent)
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
