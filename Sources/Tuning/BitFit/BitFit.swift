import GPT2

/// BitFit (Ben Zaken et al. 2022): train every bias — attention, MLP and LayerNorm biases — and nothing else.
public struct BitFit: TuningMethod, Equatable {
    public init() {}
    public var kind: TuningMethodKind { .bitfit }
    public var description: String { "bitfit (all biases)" }
    public var configuration: TuningConfiguration { .bitfit }

    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        layout.slots.map(\.tensor).filter { tensor in
            switch tensor {
            case let .block(_, t): return t.isBias
            case .finalNormBias: return true
            default: return false
            }
        }
    }
}
