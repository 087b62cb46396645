import Foundation

/// Just enough of the tar format (ustar, with PAX and GNU long-name records) to keep the entries of an archive changed
/// after a moment, for incremental backups, and to list what an archive holds.
enum TarArchive {
    struct Entry {
        var name: String
        var type: UInt8
        var modified: Double
        /// The entry's bytes in the archive: its header, any long-name records before it, and its data blocks.
        var range: Range<Int>
        var isDirectory: Bool { type == UInt8(ascii: "5") || name.hasSuffix("/") }
    }

    /// The entries, in order; stops at the end-of-archive blocks or at anything that is not a tar header.
    static func entries(_ data: Data) -> [Entry] {
        let bytes = [UInt8](data)
        var entries: [Entry] = []
        var offset = 0
        var pendingStart: Int?
        var longName: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let size = octal(header, 124, 12)
            let type = bytes[offset + 156]
            let dataEnd = offset + 512 + size
            let next = offset + 512 + (size + 511) / 512 * 512
            guard dataEnd <= bytes.count else { break }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "L"):
                // A PAX record or GNU long name describing the next entry.
                pendingStart = pendingStart ?? offset
                let text = String(decoding: bytes[(offset + 512)..<dataEnd], as: UTF8.self)
                if type == UInt8(ascii: "L") {
                    longName = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
                } else if let path = text.split(separator: "\n").compactMap({ line -> String? in
                    guard let equals = line.firstIndex(of: "="), line[..<equals].hasSuffix(" path") else { return nil }
                    return String(line[line.index(after: equals)...])
                }).first {
                    longName = path
                }
            case UInt8(ascii: "g"):
                break  // global PAX header: applies to everything, kept with the first entry
            default:
                let prefix = string(header, 345, 155)
                let plain = string(header, 0, 100)
                let name = longName ?? (prefix.isEmpty ? plain : prefix + "/" + plain)
                entries.append(Entry(name: name, type: type, modified: Double(octal(header, 136, 12)), range: (pendingStart ?? offset)..<next))
                pendingStart = nil
                longName = nil
            }
            offset = next
        }
        return entries
    }

    /// A new archive with the directories and the files modified after `time`.
    static func changed(_ data: Data, after time: Double) -> Data {
        var result = Data()
        for entry in entries(data) where entry.isDirectory || entry.modified > time {
            result.append(data.subdata(in: (data.startIndex + entry.range.lowerBound)..<(data.startIndex + entry.range.upperBound)))
        }
        result.append(Data(count: 1024))
        return result
    }

    private static func string(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> String {
        let base = header.startIndex + start
        let field = header[base..<(base + length)]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func octal(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> Int {
        let text = string(header, start, length).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        return Int(text, radix: 8) ?? 0
    }
}
