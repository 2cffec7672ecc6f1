import Collective
import Foundation
import LNTune
import TestSupport
import Testing

/// `mpirun`, when it is on the PATH.
private let mpirun: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// These tests launch the lntune built beside them with `mpirun` on loopback: they need the `MPI` trait in
/// this build (`swift build --traits MPI`), Open MPI's mpirun and the bundled tiny model.
private let needsMPI = ConditionTrait.enabled(
    if: Launch.supportsMPI && mpirun != nil && lntuneExecutable() != nil && TrainingFixture.bundledModel != nil,
    Launch.supportsMPI
        ? "needs mpirun (apt-get install openmpi-bin), the lntune executable beside the test runner and data/tiny-model"
        : "built without the MPI trait (swift build --traits MPI)")

/// `mpirun -np N lntune ARGS` on loopback TCP with one thread per rank (as root too: the CI runs as root).
private func runMPI(_ ranks: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, output: String
) {
    let launcher = try #require(mpirun)
    let executable = try #require(lntuneExecutable())
    let options = [
        "-np", "\(ranks)", "--oversubscribe", "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "lo",
        "--mca", "oob_tcp_if_include", "lo", "-x", "LNTUNE_THREADS=1", "-x", "OPENBLAS_NUM_THREADS=1",
    ]
    let exported = environment.keys.sorted().flatMap { ["-x", "\($0)"] }
    return try runLNTune(
        launcher, options + exported + [executable.path] + arguments,
        environment: environment.merging(
            [
                "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "OMPI_MCA_rmaps_base_oversubscribe": "1",
            ]
        ) { a, _ in a })
}

/// `lntune train` on the bundled sample and tiny model: global batch 10 (three shards: 4, 4, 2 examples), dev
/// loss every 3 steps, dropout so the masks' keys are checked too.
private func trainArguments(method: String, out: String, steps: Int = 6, extra: [String] = []) throws -> [String] {
    let model = try #require(TrainingFixture.bundledModel).path
    let sample = TrainingFixture.sample
    return [
        "train", "--model", model, "--task", "e2e", "--train", sample.appendingPathComponent("train.csv").path,
        "--dev", sample.appendingPathComponent("dev.csv").path, "--max-dev-examples", "24", "--method", method,
        "--seed", "4", "--batch-size", "10", "--max-steps", "\(steps)", "--eval-every", "3", "--dropout", "0.1",
        "--out", out,
    ] + extra
}

/// The files of a run that must have the bits of the one-process run, and the names of those that differ.
private let runFiles = DataParallelTests.runFiles
private let differing = DataParallelTests.differing

/// Data-parallel training over 2 and 3 ranks writes the bytes of the one-process run with the same global
/// batch — final and best adapters and the log (losses, gradient norms, dev losses) — for LN-Tuning,
/// prefix+ln and full fine-tuning; rank 0 prints the data-parallel start-up lines.
@Test(needsMPI, arguments: ["ln", "prefix+ln", "full"])
func dataParallelTrainingHasTheBitsOfOneProcess(method: String) throws {
    let folder = try TemporaryFolder()
    let reference = folder.url.appendingPathComponent("one").path
    let single = try runLNTune(
        try #require(lntuneExecutable()), try trainArguments(method: method, out: reference),
        environment: ["LNTUNE_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"])
    try #require(single.status == 0, "\(single.output)")
    let expected = try runFiles(reference)
    #expect(expected.keys.contains { $0.hasPrefix("final/") } && expected.keys.contains { $0.hasPrefix("best/") })
    for ranks in [2, 3] {
        let out = folder.url.appendingPathComponent("ranks-\(ranks)").path
        let run = try runMPI(ranks, try trainArguments(method: method, out: out))
        try #require(run.status == 0, "\(ranks) ranks: \(run.output)")
        #expect(run.output.contains("data-parallel: \(ranks) processes"), "\(run.output)")
        #expect(run.output.contains("ms a step in the gradient exchange"), "\(run.output)")
        let got = try runFiles(out)
        #expect(differing(expected, got).isEmpty, "\(ranks) ranks: \(differing(expected, got))")
    }
}

/// `mpirun -np 1` is one process: it ends MPI at once, trains as without mpirun and exits 0 (mpirun reports an
/// error for a rank that exits without `MPI_Finalize`).
@Test(needsMPI)
func oneRankUnderMPIRunsAsOneProcess() throws {
    let folder = try TemporaryFolder()
    let out = folder.url.appendingPathComponent("one-rank").path
    let run = try runMPI(1, try trainArguments(method: "ln", out: out, steps: 2))
    #expect(run.status == 0, "\(run.output)")
    #expect(!run.output.contains("data-parallel"), "\(run.output)")
    #expect(
        FileManager.default.fileExists(atPath: RunFolder(out).final.appendingPathComponent("adapter_config.json").path))
}

/// A 2-rank run that fails on rank 1 at step 5 stops both ranks with rank 1's message (no rank waits for it)
/// and leaves rank 0's checkpoint of step 3; one process resumes it to the bits of an uninterrupted run.
@Test(needsMPI)
func aTwoRankCheckpointResumesOnOneProcess() throws {
    let folder = try TemporaryFolder()
    let reference = folder.url.appendingPathComponent("one").path
    let environment = ["LNTUNE_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"]
    let executable = try #require(lntuneExecutable())
    let single = try runLNTune(
        executable, try trainArguments(method: "prefix+ln", out: reference, extra: ["--save-every", "3"]),
        environment: environment)
    try #require(single.status == 0, "\(single.output)")

    let out = folder.url.appendingPathComponent("two").path
    let arguments = try trainArguments(method: "prefix+ln", out: out, extra: ["--save-every", "3"])
    let started = Date()
    let failed = try runMPI(2, arguments, environment: ["LNTUNE_TEST_FAIL": "1:5"])
    #expect(failed.status != 0)
    #expect(failed.output.contains("Error (rank 1 of 2"), "\(failed.output)")
    #expect(failed.output.contains("failure injected on rank 1 at step 5"), "\(failed.output)")
    #expect(failed.output.contains("Rank 0's checkpoint after step 3"), "\(failed.output)")
    #expect(Date().timeIntervalSince(started) < 120, "the ranks took too long to stop")
    #expect(FileManager.default.fileExists(atPath: RunFolder(out).checkpoint.path), "\(failed.output)")

    let resumed = try runLNTune(executable, arguments + ["--resume"], environment: environment)
    try #require(resumed.status == 0, "\(resumed.output)")
    let (expected, got) = (try runFiles(reference), try runFiles(out))
    #expect(differing(expected, got).isEmpty, "\(differing(expected, got))")
}

/// `mpirun -np 3 lntune generate --input …` deals the length batches to the ranks and rank 0 writes the
/// predictions (JSON lines and text) with the bytes of one process, in the data file's order — sampled, so each
/// batch's own seeded stream is checked too.
@Test(needsMPI)
func shardedGenerationWritesTheOutputOfOneProcess() throws {
    let folder = try TemporaryFolder()
    let model = try #require(TrainingFixture.bundledModel).path
    let input = TrainingFixture.sample.appendingPathComponent("test.csv").path
    func arguments(_ name: String) -> [String] {
        [
            "generate", "--model", model, "--task", "e2e", "--input", input, "--batch-size", "3", "--max-new-tokens",
            "6", "--decode", "sample", "--seed", "3", "--out", folder.url.appendingPathComponent("\(name).jsonl").path,
            "--text", folder.url.appendingPathComponent("\(name).txt").path,
        ]
    }
    let single = try runLNTune(
        try #require(lntuneExecutable()), arguments("one"),
        environment: ["LNTUNE_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"])
    try #require(single.status == 0, "\(single.output)")
    let sharded = try runMPI(3, arguments("three"))
    try #require(sharded.status == 0, "\(sharded.output)")
    #expect(sharded.output.contains("data-parallel: 3 processes"), "\(sharded.output)")
    for ext in ["jsonl", "txt"] {
        let expected = try Data(contentsOf: folder.url.appendingPathComponent("one.\(ext)"))
        let got = try Data(contentsOf: folder.url.appendingPathComponent("three.\(ext)"))
        #expect(!expected.isEmpty)
        #expect(expected == got, "\(ext) differs")
    }
    let ids = String(decoding: try Data(contentsOf: folder.url.appendingPathComponent("three.jsonl")), as: UTF8.self)
        .split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))).flatMap {
                ($0 as? [String: Any])?["id"] as? String
            }
        }
    #expect(ids == (1...40).map { "test-\($0)" }, "\(ids)")
}

/// Two "hosts" on this machine (`eval/mpi_two_hosts.sh`: network namespaces joined by a veth pair, a hostfile,
/// an rsh agent in place of ssh): the multi-host launch and TCP between hosts give the bits of one process.
/// Needs root with the right to make network namespaces (a container may withhold it), and iproute2.
@Test(
    needsMPI,
    .enabled(if: canMakeNetworkNamespaces(), "needs root, iproute2 and the right to make network namespaces"))
func twoHostsOnOneMachineTrainToTheBitsOfOneProcess() throws {
    let script = Fixtures.repositoryRoot.appendingPathComponent("eval/mpi_two_hosts.sh")
    let run = try runLNTune(
        URL(fileURLWithPath: "/bin/bash"), [script.path, try #require(lntuneExecutable()).path],
        environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("on 2 hosts: rank 0 on host-a, rank 1 on host-b"), "\(run.output)")
    #expect(run.output.contains("identical: final/adapter_model.safetensors"), "\(run.output)")
    #expect(!run.output.contains("DIFFERENT"), "\(run.output)")
}

/// A rank killed outright (SIGKILL, as by the OOM killer) does not leave the other waiting: mpirun ends the
/// job, with a failure status, within a minute.
@Test(needsMPI)
func aKilledRankEndsTheJob() throws {
    let folder = try TemporaryFolder()
    let out = folder.url.appendingPathComponent("killed").path
    let started = Date()
    var killed = false
    let launcher = try #require(mpirun)
    let executable = try #require(lntuneExecutable())
    let run = try runLNTune(
        launcher,
        [
            "-np", "2", "--oversubscribe", "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "lo",
            "-x", "LNTUNE_THREADS=1", executable.path,
        ] + (try trainArguments(method: "ln", out: out, steps: 100_000, extra: ["--log-every", "1"])),
        environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]
    ) { output, process in
        guard output.contains("step 2/") else { return false }
        // Any rank will do: kill the youngest child of mpirun.
        if let child = children(of: process.processIdentifier).max() {
            kill(child, SIGKILL)
            killed = true
        }
        return true
    }
    #expect(killed, "\(run.output)")
    #expect(run.status != 0)
    #expect(Date().timeIntervalSince(started) < 300, "the job outlived the killed rank too long")
}

/// Process ids whose parent is `parent` (from /proc).
private func children(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && Int32(fields[1]) == parent
    }
}

/// Whether `ip netns add` works here: root, iproute2, and a kernel and container that allow new namespaces.
private func canMakeNetworkNamespaces() -> Bool {
    guard getuid() == 0,
        let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].first(where: FileManager.default.isExecutableFile)
    else { return false }
    let probe = "lntune-probe-\(getpid())"
    guard runQuietly(ip, ["netns", "add", probe]) else { return false }
    return runQuietly(ip, ["netns", "delete", probe])
}
