import Foundation
import LNTune
import TestSupport
import Testing

/// The events `eval/reference/make_tensorboard_fixtures.py` wrote with TensorBoard's own RecordWriter.
private struct ReferenceEvent: Decodable {
    let wall_time: Double
    let step: Int
    let kind: String
    let scalars: [ScalarPair]
    let version: String?
    let writer: String?

    struct ScalarPair: Decodable {
        let tag: String
        let value: Float
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            tag = try c.decode(String.self)
            value = Float(try c.decode(Double.self))
        }
    }

    var event: TensorBoardEvent {
        let content: TensorBoardEvent.Content
        switch kind {
        case "file_version": content = .fileVersion(version ?? "", writer: writer ?? "")
        case "session_start": content = .sessionStart
        default: content = .scalars(scalars.map { ($0.tag, $0.value) })
        }
        return TensorBoardEvent(wallTime: wall_time, step: step, content: content)
    }
}

private let referenceEvents = FixtureTable("tensorboard/events.json", of: [ReferenceEvent].self)

/// CRC-32C of "123456789" is 0xE3069283 (the check value of the Castagnoli polynomial); the TFRecord frame of an
/// event is its length and data each followed by TensorFlow's masked CRC.
@Test func tfRecordFramingUsesMaskedCRC32C() throws {
    let event = TensorBoardEvent(wallTime: 0, step: 0, content: .sessionStart)
    let record = event.record
    let data = event.protobuf
    #expect(record.count == 16 + data.count)
    #expect(Array(record[12..<12 + data.count]) == data)
    #expect(data == [0x3A, 0x02, 0x08, 0x01])  // session_log (7) { status: START }
}

/// Every reference event encodes to exactly the bytes TensorBoard's writer produced (`reference.tfevents`):
/// same field order, proto3 defaults left out, masked CRCs.
@Test func eventsEncodeToTensorBoardsBytes() throws {
    let events = try Fixtures.cases(try referenceEvents.value().map(\.event), count: 7, in: referenceEvents.name)
    let expected = [UInt8](try Data(contentsOf: Fixtures.url("tensorboard/reference.tfevents")))
    #expect(events.flatMap(\.record) == expected)
}

/// LNTune's reader gives back the reference events, written by TensorBoard's writer.
@Test func readerReadsTensorBoardsFile() throws {
    let events = try TensorBoardReader.events(in: Fixtures.url("tensorboard/reference.tfevents"))
    #expect(events == (try referenceEvents.value()).map(\.event))
}

/// A frame with a flipped bit, or a file cut anywhere, fails with the file and byte offset, never as garbage
/// scalars or a trap.
@Test func readerRefusesACorruptFrame() throws {
    let folder = try TemporaryFolder()
    var bytes = [UInt8](try Data(contentsOf: Fixtures.url("tensorboard/reference.tfevents")))
    bytes[bytes.count - 6] ^= 0x10
    let file = try folder.write(bytes, to: "events.out.tfevents.1.host.1.0")
    #expect(throws: LNTuneError.self) { try TensorBoardReader.events(in: file) }
    for length in [1, 12, 14, 40] {
        let cut = try folder.write(Array(bytes.prefix(length)), to: "events.out.tfevents.1.host.1.\(length)")
        #expect(throws: LNTuneError.self) { try TensorBoardReader.events(in: cut) }
    }
}

/// The scalars TensorBoard's EventAccumulator read from the event file of a real `lntune train` run
/// (`tensorboard/run/`) are the run's log under transformers' names: replaying `train_log.jsonl` through
/// `TrainingScalars` gives every tag, step and value TensorBoard saw (throughput, measured, only in the file).
@Test func tensorBoardSeesTheRunLog() throws {
    let seen = try Fixtures.json([String: [[Double]]].self, "tensorboard/run/scalars.json")
    let lines = try String(contentsOf: Fixtures.url("tensorboard/run/train_log.jsonl"), encoding: .utf8)
        .split(separator: "\n")
    let entries = try lines.map { try JSONDecoder().decode(TrainingLogEntry.self, from: Data($0.utf8)) }
    try #require(entries.count == 10, "8 steps and 2 evaluations")
    var replayed: [String: [[Double]]] = [:]
    for entry in entries {
        for (tag, value) in TrainingScalars.scalars(for: entry, tokensPerSecond: 1) {
            replayed[tag, default: []].append([Double(entry.step), Double(value)])
        }
    }
    let measured = "train/tokens_per_second"
    #expect(Set(seen.keys) == Set(replayed.keys))
    for tag in [
        "train/loss", "train/learning_rate", "train/grad_norm", "train/epoch", "eval/loss", "eval/bleu", "eval/rougeL",
    ] {
        #expect(seen[tag] != nil, "TensorBoard read no \(tag)")
    }
    for (tag, values) in replayed where tag != measured {
        #expect(seen[tag] == values, "\(tag)")
    }
    #expect(seen[measured]?.map { $0[0] } == replayed[measured]?.map { $0[0] })
    // LNTune's reader of the same file agrees with TensorBoard's.
    var read: [String: [[Double]]] = [:]
    for event in try TensorBoardReader.events(in: Fixtures.url("tensorboard/run/lntune.tfevents")) {
        if case let .scalars(values) = event.content {
            for (tag, value) in values { read[tag, default: []].append([Double(event.step), Double(value)]) }
        }
    }
    #expect(read == seen)
}

/// A training run with `--report-to tensorboard` writes one event file whose scalars are its log's; a run
/// resumed after an interruption adds a second file that starts with a session start at the next step, and
/// `--report-to none` writes none.
@Test func trainingWritesTensorBoardEvents() throws {
    let fixture = try TrainingFixture(.short(train: 16, dev: 4))
    var settings = fixture.settings(out: "tb", maxSteps: 4, evalEvery: 2)
    _ = try Trainer(settings: settings).run(control: TrainingControl(stopAfterSteps: 2))
    _ = try Trainer(settings: settings, resume: true).run()
    let folder = RunFolder(settings.out)
    let files = TensorBoardReader.eventFiles(in: folder.tensorBoard)
    try #require(files.count == 2)
    #expect(files.allSatisfy { $0.lastPathComponent.hasPrefix("events.out.tfevents.") })
    let second = try TensorBoardReader.events(in: files[1])
    #expect(second.count > 2)
    #expect(second[1].content == .sessionStart && second[1].step == 3)
    if case let .fileVersion(version, writer) = second[0].content {
        #expect(version == "brain.Event:2" && writer == "lntune")
    } else {
        Issue.record("the first event is not the file version")
    }
    let losses = try (files.flatMap { try TensorBoardReader.events(in: $0) }).compactMap { event -> [Double]? in
        guard case let .scalars(values) = event.content, let loss = values.first(where: { $0.tag == "train/loss" })
        else { return nil }
        return [Double(event.step), Double(loss.value)]
    }
    let log = try String(contentsOf: folder.log, encoding: .utf8).split(separator: "\n").map {
        try JSONDecoder().decode(TrainingLogEntry.self, from: Data($0.utf8))
    }
    #expect(losses == log.filter { $0.type == "step" }.map { [Double($0.step), Double(Float($0.loss ?? .nan))] })

    settings = fixture.settings(out: "quiet", maxSteps: 1)
    settings.reportTo = ReportDestination.none
    _ = try Trainer(settings: settings).run()
    #expect(!FileManager.default.fileExists(atPath: RunFolder(settings.out).tensorBoard.path))
}
