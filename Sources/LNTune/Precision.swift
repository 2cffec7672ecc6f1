import Kernels

/// `--precision` (fp32 or bf16), re-exported for the programs that use LNTune without importing Kernels.
public typealias Precision = Kernels.Precision
/// Which bf16 products this machine runs (see `Kernels.BF16Backend`).
public typealias BF16Backend = Kernels.BF16Backend
