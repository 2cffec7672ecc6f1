/// When beam search stops — transformers' `early_stopping` (`false`, `true` or `"never"`).
public enum EarlyStopping: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `false` (the default): stop an input once its best running beam, scored at the *current* length, can no
    /// longer beat the worst of its `num_beams` finished hypotheses.
    case heuristic
    /// `true`: stop an input as soon as it has `num_beams` finished hypotheses.
    case immediate
    /// `"never"`: canonical beam search — like `heuristic`, but with a positive length penalty the best running
    /// beam is scored at the *maximum* length, so the search only stops when no beam can improve.
    case never

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .immediate : .heuristic
        } else if let text = try? container.decode(String.self), text == "never" {
            self = .never
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "early_stopping must be true, false or \"never\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .heuristic: try container.encode(false)
        case .immediate: try container.encode(true)
        case .never: try container.encode("never")
        }
    }

    public var description: String {
        switch self {
        case .heuristic: return "false"
        case .immediate: return "true"
        case .never: return "never"
        }
    }
}
