import Kernels

/// `--precision` (fp32 or bf16), re-exported for the programs that use LNTune without importing Kernels.
public typealias Precision = Kernels.Precision
