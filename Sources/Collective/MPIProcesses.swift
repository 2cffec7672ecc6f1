#if MPI
    import CMPI

    #if canImport(Glibc)
        import Glibc
    #elseif canImport(Darwin)
        import Darwin
    #endif

    /// The ranks of an `mpirun` job over Open MPI's `MPI_COMM_WORLD`.
    ///
    /// Errors come back as return codes (`MPI_ERRORS_RETURN`), so a failed call is a thrown `CollectiveError`
    /// the command reports; a rank that fails for any reason prints its message and calls `abort`
    /// (`MPI_Abort`), which ends every rank of the job. A rank killed outright is noticed by `mpirun`, which
    /// then ends the others (Open MPI's default), so no rank waits for a dead peer.
    ///
    /// Messages longer than 1 GiB go in 1 GiB pieces (MPI counts are 32-bit).
    public final class MPIProcesses: Collective {
        public let rank: Int
        public let size: Int
        public let hosts: [String]
        private static let piece = 1 << 30

        /// Initialises MPI (once per process; `MPI_THREAD_SERIALIZED`: one thread at a time calls it).
        public init() throws(CollectiveError) {
            var provided: Int32 = 0
            try Self.check("MPI_Init_thread", MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided))
            try Self.check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()))
            var r: Int32 = 0
            var n: Int32 = 0
            try Self.check("MPI_Comm_rank", MPI_Comm_rank(cmpi_comm_world(), &r))
            try Self.check("MPI_Comm_size", MPI_Comm_size(cmpi_comm_world(), &n))
            rank = Int(r)
            size = Int(n)
            // Every rank's host name, gathered so rank 0 can print the layout.
            let width = Int(cmpi_max_processor_name())
            var mine = [CChar](repeating: 0, count: width)
            var length: Int32 = 0
            try Self.check("MPI_Get_processor_name", MPI_Get_processor_name(&mine, &length))
            var all = [CChar](repeating: 0, count: width * Int(n))
            try Self.check(
                "MPI_Allgather",
                MPI_Allgather(&mine, Int32(width), cmpi_byte(), &all, Int32(width), cmpi_byte(), cmpi_comm_world()))
            hosts = (0..<Int(n)).map { i in
                String(
                    decoding: all[(i * width)..<((i + 1) * width)].prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                    as: UTF8.self)
            }
        }

        /// Ends MPI after a run that succeeded on every rank (waits for the others).
        public func finish() {
            MPI_Finalize()
        }

        public func send(_ bytes: UnsafeRawBufferPointer, to rank: Int) throws(CollectiveError) {
            guard let base = bytes.baseAddress else { return }
            try pieces(bytes.count) { (start, count) throws(CollectiveError) in
                try Self.check(
                    "MPI_Send",
                    MPI_Send(base + start, count, cmpi_byte(), Int32(rank), 0, cmpi_comm_world()))
            }
        }

        public func receive(into bytes: UnsafeMutableRawBufferPointer, from rank: Int) throws(CollectiveError) {
            guard let base = bytes.baseAddress else { return }
            try pieces(bytes.count) { (start, count) throws(CollectiveError) in
                try Self.check(
                    "MPI_Recv",
                    MPI_Recv(
                        base + start, count, cmpi_byte(), Int32(rank), 0, cmpi_comm_world(),
                        cmpi_status_ignore()))
            }
        }

        public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) {
            guard let base = bytes.baseAddress else { return }
            try pieces(bytes.count) { (start, count) throws(CollectiveError) in
                try Self.check(
                    "MPI_Bcast",
                    MPI_Bcast(base + start, count, cmpi_byte(), Int32(root), cmpi_comm_world()))
            }
        }

        public func abort(status: Int32) -> Never {
            MPI_Abort(cmpi_comm_world(), status)
            // MPI_Abort does not return; should it, leave anyway.
            exit(status)
        }

        private func pieces(_ count: Int, _ body: (Int, Int32) throws(CollectiveError) -> Void) throws(CollectiveError)
        {
            var start = 0
            while start < count {
                let n = min(Self.piece, count - start)
                try body(start, Int32(n))
                start += n
            }
        }

        private static func check(_ name: String, _ code: Int32) throws(CollectiveError) {
            guard code != cmpi_success() else { return }
            var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()))
            var length: Int32 = 0
            MPI_Error_string(code, &text, &length)
            throw .call(
                name: name, code: code,
                message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
#endif
