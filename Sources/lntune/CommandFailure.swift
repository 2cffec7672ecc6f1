import ArgumentParser
import Decoding
import Foundation
import LNTune
import Metrics
import TextIO

/// How a failure reaches the user, for every command: one `Error: …` line that names the file or flag, says
/// what is wrong and what to do, and the exit status of its kind —
/// 64 for a usage error (a flag's value or a combination of flags, found while parsing or once the model is
/// loaded), 1 for a run-time error (a file, a model, the data, the machine), 128 + N after signal N.
///
/// Errors of the project's modules already carry such messages; this is where the rest is translated:
/// Foundation's `NSError`s ("NSCocoaErrorDomain error 256") and the encoders' errors (`EncodingError`).
enum CommandFailure {
    /// Whether `error` is about how the command was called rather than about what it read or ran into.
    static func isUsage(_ error: any Error) -> Bool {
        switch error {
        case let error as GenerationError:
            switch error {
            case .invalidParameter, .unsupported, .unknownPreset: return true
            default: return false
            }
        case let error as LNTuneError:
            switch error {
            case .sameFile: return true
            case .generation(let failure):
                switch failure {
                case .noExamples, .badGenerationConfig: return false
                default: return true
                }
            case .training(.invalidSetting), .hub(.invalidName): return true
            default: return false
            }
        case let error as MetricsError:
            if case .invalidOption = error { return true }
            return false
        default:
            return false
        }
    }

    /// `error` as text a user can act on.
    static func message(_ error: any Error) -> String {
        switch error {
        case let error as EncodingError:
            let context: EncodingError.Context
            switch error {
            case let .invalidValue(_, c): context = c
            @unknown default: return "could not write the output as JSON; please report this as a bug"
            }
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "could not write the output as JSON: the value at '\(path)' is not a finite number; "
                + "please report this as a bug"
        case let error as CustomStringConvertible where !(type(of: error as Any) is NSError.Type):
            return error.description
        default:
            let nsError = error as NSError
            if let path = nsError.userInfo[NSFilePathErrorKey] as? String {
                return "\(path): \(FileProblem.reason(error, path: path, writing: false))"
            }
            return nsError.localizedDescription
        }
    }

    /// Runs `body` (a `validate()`): whatever it throws is a usage error, exit status 64.
    static func usage(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(message(error))
        }
    }

    /// Prints `error` the way its kind asks and ends the process.
    static func exit(_ error: any Error) -> Never {
        // ArgumentParser's own errors and requests (help, version, exit codes, usage) keep its report.
        guard !String(reflecting: type(of: error as Any)).hasPrefix("ArgumentParser.") else {
            LNTuneCommand.exit(withError: error)
        }
        let usage = isUsage(error)
        var text = "Error: \(message(error))\n"
        if usage { text += "  See '\(commandPath()) --help' for more information.\n" }
        RunProcesses.abortIfShared(text, status: usage ? 64 : 1)
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(usage ? 64 : 1)
    }

    /// `lntune generate`, `lntune bench forward`: the command words of this invocation.
    private static func commandPath() -> String {
        var words = ["lntune"]
        var choices = LNTuneCommand.configuration.subcommands
        for argument in CommandLine.arguments.dropFirst() {
            guard let next = choices.first(where: { $0.configuration.commandName == argument }) else { break }
            words.append(argument)
            choices = next.configuration.subcommands
        }
        return words.joined(separator: " ")
    }
}
