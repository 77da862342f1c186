import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who approves or cancels, as the run store records it.
public enum Person {
    /// git's `user.email` in `root`, else the login name (`$USER`, `$LOGNAME`, then the account of
    /// the effective user); never a placeholder.
    public static func identify(in root: String) async -> String {
        if let output = try? await ProcessRunner().run(
            "git", arguments: ["config", "user.email"], workingDirectory: root),
            output.status == 0
        {
            let email = String(decoding: output.standardOutput, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !email.isEmpty { return email }
        }
        let environment = ProcessInfo.processInfo.environment
        for name in ["USER", "LOGNAME"] {
            if let login = environment[name], !login.isEmpty { return login }
        }
        if let account = getpwuid(geteuid()), let name = account.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
