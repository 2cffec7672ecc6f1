#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How this process was started: alone, or as a rank of an `mpirun` job.
public enum Launch {
    /// True when this binary was built with the `MPI` trait.
    public static var supportsMPI: Bool {
        #if MPI
            return true
        #else
            return false
        #endif
    }

    /// True when `mpirun` (Open MPI, or a PMIx launcher) started this process.
    public static var underMPI: Bool {
        let names: [String] = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]
        return names.contains { getenv($0) != nil }
    }

    /// The processes of this run: the MPI ranks when launched by `mpirun` in an `MPI` build, else one process.
    /// Under `mpirun` without the trait it refuses, rather than letting N copies train N identical runs into
    /// the same folder.
    public static func processes() throws(LaunchError) -> any Collective {
        guard underMPI else { return SingleProcess() }
        #if MPI
            let ranks: MPIProcesses
            do { ranks = try MPIProcesses() } catch { throw .mpi(error) }
            // `mpirun -np 1`: nothing to exchange, so MPI ends here (mpirun wants MPI_Finalize before the exit,
            // whatever path the command takes) and the run is one process, Ctrl-C checkpoint included.
            guard ranks.size > 1 else {
                ranks.finish()
                return SingleProcess()
            }
            return ranks
        #else
            throw .builtWithoutMPI
        #endif
    }
}

public enum LaunchError: Error, CustomStringConvertible {
    case builtWithoutMPI
    case mpi(CollectiveError)

    public var description: String {
        switch self {
        case .builtWithoutMPI:
            return "started by mpirun, but this lntune was built without MPI; build it with"
                + " `swift build -c release --traits MPI` (needs libopenmpi-dev)"
        case let .mpi(error):
            return "cannot start MPI: \(error)"
        }
    }
}
