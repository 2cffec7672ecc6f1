import GPT2

/// Full fine-tuning: every parameter trains (the tied embedding receives gradients from both its uses).
public struct FullFineTuning: TuningMethod, Equatable {
    public init() {}
    public var kind: TuningMethodKind { .full }
    public var description: String { "full (every parameter)" }
    public var configuration: TuningConfiguration { .full }
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { layout.slots.map(\.tensor) }
}
