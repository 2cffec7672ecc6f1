import Collective
import Foundation

/// The processes of this invocation (one, or the ranks of `mpirun -np N lntune …`), for the commands that
/// share work (train, generate) and for `CommandFailure`: with several ranks, a failure on any of them prints
/// that rank's message and ends them all (`MPI_Abort`), rather than leaving the others waiting for it.
enum RunProcesses {
    // Set once, on the main thread, before any work starts; read when the command fails.
    nonisolated(unsafe) private static var started: (any Collective)?

    /// Starts MPI when `mpirun` launched this process (in an `MPI` build), else one process.
    static func start() throws -> any Collective {
        if let started { return started }
        let processes = try Launch.processes()
        started = processes
        return processes
    }

    /// With several ranks: prints `text` (an `Error: …` report) naming this rank and ends every rank with
    /// `status`. Returns with one process.
    static func abortIfShared(_ text: String, status: Int32) {
        guard let processes = started, processes.size > 1 else { return }
        let host = processes.hosts[processes.rank]
        let named = text.replacingOccurrences(
            of: "Error: ", with: "Error (rank \(processes.rank) of \(processes.size), \(host)): ",
            options: .anchored)
        // On a line of its own: rank 0's progress line may be open on the same terminal.
        FileHandle.standardError.write(Data(("\n" + named).utf8))
        processes.abort(status: status)
    }
}
