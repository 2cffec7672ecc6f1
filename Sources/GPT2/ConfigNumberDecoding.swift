import Foundation

/// Numbers from `config.json` with errors that say what is wrong with the value.
///
/// Foundation's `JSONDecoder` reports a number that does not fit the requested type (`"n_layer": 4.5`,
/// `"n_embd": 1e30`) as "The given data was not valid JSON" with no key, which sends the user looking for a
/// syntax error. These helpers re-read such a value as a `Double` and throw a `DecodingError` on the key
/// that says "must be a whole number, found 4.5"; `GPT2Error.decodingReason` then prints it with the key.
extension KeyedDecodingContainer {
    /// The integer at `key`, nil when the key is absent or `null`.
    func decodeIntegerIfPresent(_ key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        do {
            return try decode(Int.self, forKey: key)
        } catch DecodingError.dataCorrupted {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: notRepresentable(key, wholeNumber: true))
        }
    }

    /// The `Float` at `key`, nil when the key is absent or `null`.
    func decodeFloatIfPresent(_ key: Key) throws -> Float? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        do {
            return try decode(Float.self, forKey: key)
        } catch DecodingError.dataCorrupted {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: notRepresentable(key, wholeNumber: false))
        }
    }

    /// Why the number at `key` did not decode as an integer (`wholeNumber`) or a `Float`.
    private func notRepresentable(_ key: Key, wholeNumber: Bool) -> String {
        let kind = wholeNumber ? "a whole number" : "a 32-bit float"
        guard let value = try? decode(Double.self, forKey: key) else {
            return "must be \(kind); found a number beyond the range of a double"
        }
        if wholeNumber && value.rounded(.towardZero) != value { return "must be \(kind), found \(value)" }
        return "must be \(kind), found \(value), which is out of range"
    }
}
