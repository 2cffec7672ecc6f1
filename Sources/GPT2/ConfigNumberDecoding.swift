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
        try decodeNumberIfPresent(Int.self, key, wholeNumber: true)
    }

    /// The `Float` at `key`, nil when the key is absent or `null`.
    func decodeFloatIfPresent(_ key: Key) throws -> Float? {
        try decodeNumberIfPresent(Float.self, key, wholeNumber: false)
    }

    private func decodeNumberIfPresent<Number: Decodable>(_ type: Number.Type, _ key: Key, wholeNumber: Bool) throws
        -> Number?
    {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        do {
            return try decode(type, forKey: key)
        } catch {
            throw explained(error, at: key, wholeNumber: wholeNumber)
        }
    }

    /// `error` from decoding the number at `key` as an integer (`wholeNumber`) or a `Float`, restated.
    ///
    /// Foundation reports a number it cannot represent with an internal error type that it turns into "not
    /// valid JSON" at the top level; its own `DecodingError`s (a string or a bool where a number goes) already
    /// name the key and pass through unchanged.
    private func explained(_ error: Error, at key: Key, wholeNumber: Bool) -> Error {
        let kind = wholeNumber ? "a whole number" : "a 32-bit float"
        let reason: String
        if let value = try? decode(Double.self, forKey: key) {
            let fractional = wholeNumber && value.rounded(.towardZero) != value
            reason =
                fractional
                ? "must be \(kind), found \(value)" : "must be \(kind), found \(value), which is out of range"
        } else if error is DecodingError {
            return error
        } else {
            reason = "must be \(kind); found a number beyond the range of a double"
        }
        return DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: reason)
    }
}
