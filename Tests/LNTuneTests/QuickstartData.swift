import Foundation

extension TrainingFixture {
    /// A few rows of each data/sample split in `folder/data` (train 8, dev 4, test 6 — test.csv keeps each MR's
    /// 2–3 references together, so 6 rows hold at least 2 MRs), for quickstart runs that finish in seconds.
    static func quickstartData(in folder: URL) throws -> URL {
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (name, rows) in [("train.csv", 8), ("dev.csv", 4), ("test.csv", 6)] {
            let text = try String(contentsOf: sample.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(whereSeparator: \.isNewline).prefix(rows + 1)
            try (lines.joined(separator: "\n") + "\n").write(
                to: data.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return data
    }
}
