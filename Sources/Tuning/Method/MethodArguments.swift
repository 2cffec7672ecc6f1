/// One command-line option of a tuning method (`--ln-terms gain,bias`, `--prefix-direct`). Methods declare
/// theirs next to their options type; the CLI lists them in `lntune train --help` and hands the words it
/// does not know itself to `MethodArguments.parse`.
public struct MethodOption: Sendable, Equatable {
    /// A switch (`--prefix-direct`) or an option followed by a value, shown as the placeholder.
    public enum Value: Sendable, Equatable {
        case flag
        case value(placeholder: String)
    }

    public let name: String
    public let value: Value
    public let help: String

    public init(_ name: String, _ value: Value, help: String) {
        self.name = name
        self.value = value
        self.help = help
    }

    /// `--ln-layers FIRST-LAST`, as help lists it.
    public var usage: String {
        switch value {
        case .flag: return "--\(name)"
        case let .value(placeholder): return "--\(name) \(placeholder)"
        }
    }
}

/// The method options given on a command line, by name (each at most once).
public struct MethodArguments: Sendable, Equatable {
    private var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Reads `--name value`, `--name=value` and `--flag` words. `known` are the options of every method (an
    /// option of another method is then named as such); `allowed` those of the chosen method.
    static func parse(
        _ words: [String], allowed: [MethodOption], known: [String: String], method: String
    ) throws(TuningError) -> MethodArguments {
        var values: [String: String] = [:]
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                throw .unknownOption(name: word, hint: "expected an option (--name value)")
            }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = allowed.first(where: { $0.name == name }) else {
                if let owners = known[name] {
                    throw .optionOfAnotherMethod(name: name, owners: owners, method: method)
                }
                throw .unknownOption(name: name, hint: "see lntune train --help for the options")
            }
            guard values[name] == nil else {
                throw .invalidOption(name: name, value: inline ?? "", hint: "given twice")
            }
            switch option.value {
            case .flag:
                guard inline == nil else {
                    throw .invalidOption(name: name, value: inline ?? "", hint: "takes no value")
                }
                values[name] = ""
            case .value:
                if let inline {
                    values[name] = inline
                } else if index < words.count {
                    values[name] = words[index]
                    index += 1
                } else {
                    throw .invalidOption(name: name, value: "", hint: "needs a value")
                }
            }
        }
        return MethodArguments(values)
    }

    public func string(_ name: String) -> String? { values[name] }

    public func flag(_ name: String) -> Bool { values[name] != nil }

    public func int(_ name: String) throws(TuningError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else {
            throw .invalidOption(name: name, value: text, hint: "expected a whole number")
        }
        return value
    }
}
