/// The words of one simple command as a script is read, enough to tell what the shell will do with a word: pass it
/// as data, evaluate it as a number, or run it as code.
struct ShellCommand {
    /// The words read so far, quotes removed. A word holding a placeholder is kept with `hasPlaceholder`.
    var words: [Word] = []
    /// The word being read.
    var current = Word()
    /// Which pipeline of the script this command belongs to, and its place in it (0 for the first command).
    var pipeline: Int
    var stage: Int

    struct Word {
        var text = ""
        var hasPlaceholder = false
        var isEmpty: Bool { text.isEmpty && !hasPlaceholder }
    }

    init(pipeline: Int, stage: Int = 0) {
        self.pipeline = pipeline
        self.stage = stage
    }

    /// Set after a redirection operator: the next word is a file name, not an argument.
    var redirectPending = false

    mutating func endWord() {
        if !current.isEmpty {
            if redirectPending { redirectPending = false } else { words.append(current) }
        }
        current = Word()
    }

    /// Ends the word before a redirection (`2>`: a file descriptor number is not an argument) and expects its target.
    mutating func endRedirectedWord() {
        if !current.hasPlaceholder, !current.text.isEmpty, current.text.allSatisfy(\.isNumber) { current = Word() }
        endWord()
        redirectPending = true
    }

    /// Whether nothing of the command has been read yet (a `((` or `[[` here opens arithmetic or a test).
    var atStart: Bool { words.allSatisfy { $0.isAssignment || ShellCommand.reservedWords.contains($0.text) } && current.isEmpty }

    /// Words that start a compound command or a clause, after which a command starts (`if eval …`, `then [[ … ]]`).
    static let reservedWords: Set<String> = ["if", "then", "elif", "else", "while", "until", "do", "!", "{", "time"]

    /// What the shell does with the word being read: `nil` when it is data, else what runs it as code.
    func codeRunner() -> String? {
        var holder = current
        holder.hasPlaceholder = true
        let all = words + [holder]
        guard let first = effectiveStart(all) else { return nil }
        let name = ShellCommand.basename(all[first].text)
        let currentIndex = all.count - 1
        if first == currentIndex, current.text.last != "[" { return "the shell (the value would name the program to run)" }
        if ["eval", "trap", "source", ".", "watch"].contains(name), currentIndex > first { return name }
        // The last program that takes code in its arguments decides (`docker exec c sh -c "…"`, `find -exec sh -c`).
        for index in stride(from: currentIndex - 1, through: first, by: -1) {
            let program = ShellCommand.basename(all[index].text)
            if let spec = ShellCommand.interpreters[program] {
                return spec.programWord(in: all, after: index) == currentIndex ? spec.describe(program) : nil
            }
            if program == "ssh" {
                guard let destination = ShellCommand.sshDestination(in: all, after: index), destination < currentIndex else { return nil }
                return "ssh (the remote shell)"
            }
        }
        return nil
    }

    /// Whether the shell evaluates the command's words as numbers (`let`, `declare -i`).
    var isArithmetic: Bool {
        let all = words + [current]
        guard let first = effectiveStart(all) else { return false }
        let name = all[first].text
        if name == "let" { return all.count - 1 > first }
        guard ["declare", "typeset", "local", "readonly", "export"].contains(name) else { return false }
        return all[(first + 1)...].contains { $0.text.hasPrefix("-") && !$0.text.hasPrefix("--") && $0.text.contains("i") }
    }

    /// Whether this command, as complete, reads a program from its standard input (`bash`, `python3 -`, `ssh host`):
    /// then what is piped or here-documented into it is code.
    func readsCodeFromStandardInput() -> String? {
        let all = words + (current.isEmpty ? [] : [current])
        guard let first = effectiveStart(all) else { return nil }
        let program = ShellCommand.basename(all[first].text)
        if program == "ssh" { return "ssh (the remote shell)" }
        guard let spec = ShellCommand.interpreters[program], spec.readsStandardInputProgram else { return nil }
        let rest = all[(first + 1)...]
        if rest.contains(where: { spec.takesInlineProgram($0.text) }) { return nil }
        let files = rest.filter { !$0.text.hasPrefix("-") || $0.text == "-" }
        return files.isEmpty || files.first?.text == "-" || rest.contains(where: { $0.text == "-s" }) ? program : nil
    }

    /// The index of the word that names the program, past assignments and wrappers (`sudo`, `env`, `exec`, `nohup`…).
    private func effectiveStart(_ all: [Word]) -> Int? {
        var index = 0
        while index < all.count {
            let word = all[index]
            if word.isAssignment || (ShellCommand.reservedWords.contains(word.text) && !word.hasPlaceholder) { index += 1; continue }
            let name = ShellCommand.basename(word.text)
            guard ShellCommand.wrappers.contains(name) else { return word.isEmpty ? nil : index }
            index += 1
            // Options of the wrapper, and a number for `timeout`/`nice -n`.
            while index < all.count, all[index].text.hasPrefix("-") || all[index].isAssignment
                || (name == "timeout" && all[index].text.first?.isNumber == true)
            {
                index += 1
            }
        }
        return nil
    }

    static let wrappers: Set<String> = ["sudo", "env", "exec", "command", "nohup", "time", "nice", "timeout", "builtin", "xargs", "doas", "setsid", "stdbuf"]

    static func basename(_ word: String) -> String {
        word.split(separator: "/").last.map(String.init) ?? word
    }

    /// Where an ssh command's destination is; words after it are the remote command, run by the remote shell.
    static func sshDestination(in all: [Word], after index: Int) -> Int? {
        let valued: Set<Character> = ["b", "c", "D", "E", "e", "F", "I", "i", "J", "L", "l", "m", "O", "o", "p", "Q", "R", "S", "W", "w", "B"]
        var position = index + 1
        while position < all.count {
            let text = all[position].text
            if text.hasPrefix("-"), text.count >= 2, !all[position].hasPlaceholder {
                let takesValue = text.count == 2 && valued.contains(text.last!)
                position += takesValue ? 2 : 1
                continue
            }
            return position
        }
        return nil
    }

    /// Programs whose arguments can carry a program of theirs.
    static let interpreters: [String: Interpreter] = {
        var table: [String: Interpreter] = [:]
        for shell in ["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox"] {
            table[shell] = Interpreter(inlineOptions: ["-c"], clusterLetter: "c", firstArgumentIsProgram: false, readsStandardInputProgram: true)
        }
        for python in ["python", "python2", "python3"] {
            table[python] = Interpreter(inlineOptions: ["-c"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: true)
        }
        table["perl"] = Interpreter(inlineOptions: ["-e", "-E"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: true)
        table["ruby"] = Interpreter(inlineOptions: ["-e"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: true)
        for node in ["node", "nodejs"] {
            table[node] = Interpreter(inlineOptions: ["-e", "-p", "--eval", "--print"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: true)
        }
        table["php"] = Interpreter(inlineOptions: ["-r"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: true)
        for awk in ["awk", "gawk", "mawk", "nawk"] {
            table[awk] = Interpreter(inlineOptions: [], clusterLetter: nil, firstArgumentIsProgram: true, readsStandardInputProgram: false, valuedOptions: ["-F", "-v", "-f"])
        }
        table["sed"] = Interpreter(inlineOptions: ["-e", "--expression"], clusterLetter: nil, firstArgumentIsProgram: true, readsStandardInputProgram: false, valuedOptions: ["-f", "-l"])
        table["su"] = Interpreter(inlineOptions: ["-c", "--command"], clusterLetter: nil, firstArgumentIsProgram: false, readsStandardInputProgram: false)
        return table
    }()

    /// How one interpreter takes a program in its arguments.
    struct Interpreter {
        /// Options followed by a program (`-c CODE`).
        var inlineOptions: Set<String>
        /// A letter that, inside a cluster of short options (`-ec`, `-lc`), takes the program.
        var clusterLetter: Character?
        /// Whether, without those options, the first argument is the program (awk, sed) rather than a file.
        var firstArgumentIsProgram: Bool
        /// Whether, with no program or file given, it reads its program from standard input.
        var readsStandardInputProgram: Bool
        /// Options that take a value which is not a program (`awk -F :`).
        var valuedOptions: Set<String> = []

        func takesInlineProgram(_ word: String) -> Bool {
            if inlineOptions.contains(word) { return true }
            guard let letter = clusterLetter, word.hasPrefix("-"), !word.hasPrefix("--"), word.count >= 2 else { return false }
            return word.dropFirst().contains(letter)
        }

        /// The index of the word that is the program, if the program is given inline.
        func programWord(in all: [Word], after index: Int) -> Int? {
            var position = index + 1
            var sawFile = false
            while position < all.count {
                let word = all[position]
                if !word.hasPlaceholder, takesInlineProgram(word.text) { return position + 1 }
                if !word.hasPlaceholder, valuedOptions.contains(word.text) {
                    if word.text == "-f" { sawFile = true }
                    position += 2
                    continue
                }
                if word.text.hasPrefix("-"), !word.hasPlaceholder { position += 1; continue }
                return firstArgumentIsProgram && !sawFile ? position : nil
            }
            return nil
        }

        func describe(_ program: String) -> String {
            if let option = inlineOptions.sorted().first { return "\(program) \(option)" }
            return "\(program) (its program text)"
        }
    }
}

extension ShellCommand.Word {
    /// `NAME=value`: an assignment before the command, not its name.
    var isAssignment: Bool {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return false }
        // `name[index]=value` reads as `name[=value` here: the index is not kept in the word.
        let name = text[..<equals].split(separator: "[", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && name.first?.isNumber == false
    }
}
