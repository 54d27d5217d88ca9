/// What package-manager commands in a RUN install, for the pinning rules (CS-DF-012, 032, 034, 036, 037).
/// Package words built from ARG/ENV values the Dockerfile sets are expanded with those values; words whose
/// value is unknown (a build argument without default, `$(cat list)`) cannot be judged and are left out.
enum PackageInstalls {
    /// The words after the subcommand, without flags and without the values of flags that take one.
    static func operands(_ c: ShellCommand, after sub: String, valueFlags: Set<String>, env: [String: String]) -> [String] {
        var out: [String] = []
        var seenSub = false
        var skipNext = false
        for w in c.args {
            if skipNext { skipNext = false; continue }
            if !seenSub { seenSub = w == sub; continue }
            if w.hasPrefix("-") {
                if !w.hasByte("="), valueFlags.contains(w) { skipNext = true }
                continue
            }
            out.append(contentsOf: expanded(w, env))
        }
        return out
    }

    static func expanded(_ word: String, _ env: [String: String]) -> [String] {
        guard word.hasByte("$") else { return [word] }
        let (value, unresolved) = VariableExpander.expand(word, env)
        if unresolved || value.hasByte("$") { return [] }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
            .filter { !$0.hasPrefix("-") }
    }

    /// `apt-get install`: pinned with `=version`, or a path / `.deb` file (hadolint DL3008).
    static func unpinnedApt(_ c: ShellCommand, env: [String: String]) -> [String] {
        operands(c, after: "install", valueFlags: ["-t", "--target-release", "-o", "--option", "-c", "--config-file"], env: env)
            .filter { !$0.hasByte("=") && !$0.hasSuffix(".deb") && !$0.hasByte("/") }
    }

    /// `apk add`: pinned with `=`, `~`, `>` or `<`, or an `.apk` file (hadolint DL3018).
    static func unpinnedApk(_ c: ShellCommand, env: [String: String]) -> [String] {
        operands(c, after: "add", valueFlags: ["-t", "--virtual", "--repository", "-X", "-p", "--root", "--arch"], env: env)
            .filter { p in !p.contains(where: { $0 == "=" || $0 == "~" || $0 == ">" || $0 == "<" }) && !p.hasSuffix(".apk") }
    }

    /// pip's flags that take a value (hadolint DL3013's list).
    static let pipValueFlags: Set<String> = [
        "--abi", "-b", "--build", "-e", "--editable", "--extra-index-url", "-f", "--find-links", "-i", "--index-url",
        "--implementation", "--no-binary", "--only-binary", "--platform", "--prefix", "--progress-bar", "--proxy",
        "--python", "--python-version", "--root", "--root-user-action", "--src", "-t", "--target", "--trusted-host",
        "--upgrade-strategy",
    ]
    static let vcsPrefixes = ["git+", "hg+", "svn+", "bzr+", "git:", "svn:"]

    /// `pip install` / `python -m pip install` of named packages without a version (hadolint DL3013). Installs from a
    /// requirements file, a constraints file or the local project are not judged.
    static func unpinnedPip(_ c: ShellCommand, env: [String: String]) -> [String] {
        let args = c.args
        if args.contains(where: { $0 == "-r" || $0 == "--requirement" || $0.hasPrefix("--requirement=") || $0 == "." ||
                                  $0 == "-c" || $0 == "--constraint" || $0.hasPrefix("--constraint=") }) { return [] }
        return operands(c, after: "install", valueFlags: pipValueFlags, env: env).filter { p in
            let vcs = vcsPrefixes.contains { p.hasPrefix($0) }
            let versioned = ["==", ">=", "<=", ">", "<", "!=", "~="].contains { p.has($0) }
            let file = p.hasSuffix(".whl") || p.hasSuffix(".tar.gz") || p.hasSuffix(".zip")
            let path = !vcs && p.hasByte("/")
            return !(versioned || (vcs && p.hasByte("@")) || file || path)
        }
    }

    /// True for `pip`, `pip3`, `pip3.12` (not pipx/pipenv) and `python -m pip` running `install`.
    static func isPipInstall(_ c: ShellCommand) -> Bool {
        let name = String(c.name.split(separator: "/").last ?? "")
        let args = c.args
        if name.hasPrefix("pip"), !name.hasPrefix("pipx"), !name.hasPrefix("pipenv") {
            return args.first { !$0.hasPrefix("-") } == "install"
        }
        if name.hasPrefix("python") {
            return args.count >= 3 && args[0] == "-m" && args[1] == "pip" && args[2] == "install"
        }
        return false
    }

    /// `go install` / `go get` of a module without `@version` (or with `@latest`), and the package of `go run`
    /// (hadolint DL3062). Local paths (`.`, `./cmd/x`, `/src`) are not packages.
    static func unpinnedGo(_ c: ShellCommand, env: [String: String]) -> [String] {
        guard c.name.split(separator: "/").last == "go", let sub = c.args.first(where: { !$0.hasPrefix("-") }), ["install", "get", "run"].contains(sub) else { return [] }
        var pkgs = operands(c, after: sub, valueFlags: ["-o", "-tags", "-ldflags", "-gcflags", "-mod", "-modfile", "-C", "-p"], env: env)
        if sub == "run" { pkgs = Array(pkgs.prefix(1)) }
        return pkgs.filter { p in
            if p == "." || p.hasPrefix("/") || p.hasPrefix(".") || p == "tool" || p.hasSuffix(".go") { return false }
            guard let at = p.lastIndex(of: "@") else { return true }
            let version = p[p.index(after: at)...]
            return version == "latest" || version == "none" || version.isEmpty
        }
    }

    /// `npm install <name>` without `@version` (hadolint DL3016). `npm install` / `npm ci` of the project, folders,
    /// tarballs and git URLs with a `#commit` are pinned by other means.
    static func unpinnedNpm(_ c: ShellCommand, env: [String: String]) -> [String] {
        guard c.name.split(separator: "/").last == "npm",
              let sub = c.args.first(where: { !$0.hasPrefix("-") }), sub == "install" || sub == "i" || sub == "add" else { return [] }
        return operands(c, after: sub, valueFlags: ["--loglevel", "--registry", "--prefix", "-C"], env: env).filter { p in
            if p.hasPrefix("git") || p.hasPrefix("github:") { return !p.hasByte("#") }
            if p.hasSuffix(".tgz") || p.hasSuffix(".tar.gz") || p.hasSuffix(".tar") { return false }
            if p.hasPrefix("/") || p.hasPrefix("./") || p.hasPrefix("../") || p.hasPrefix("~/") || p == "." { return false }
            // `@scope/name@1.2.3`: the version follows the name, after the scope's slash.
            let name = p.hasPrefix("@") ? String(p.drop(while: { $0 != "/" })) : p
            return !name.hasByte("@")
        }
    }
}
