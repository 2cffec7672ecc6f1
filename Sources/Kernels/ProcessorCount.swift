#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The number of online processors, without importing Foundation into the kernels.
public enum ProcessInfoShim {
    public static var activeProcessorCount: Int {
        #if canImport(Glibc) || canImport(Darwin)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 1
        #endif
    }
}
