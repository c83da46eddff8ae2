/// Rows of text in aligned columns, under a header line.
///
/// ```swift
/// var table = TextTable(["SKU", "STOCK"])
/// table.add(["SKU-1", "10"])
/// print(table.rendered)
/// ```
struct TextTable {
    let columns: [String]
    private(set) var rows: [[String]] = []

    init(_ columns: [String]) {
        self.columns = columns
    }

    /// Adds a row; an empty cell shows as `-`.
    mutating func add(_ cells: [String?]) {
        rows.append(
            cells.map { cell in
                let text = (cell ?? "").replacingOccurrences(of: "\n", with: " ")
                return text.isEmpty ? "-" : text
            })
    }

    /// The header and rows, each column as wide as its widest cell, two spaces apart; no trailing blanks.
    var rendered: String {
        let all = [columns] + rows
        let widths = columns.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Label–value lines (`status   COMPLETED`), labels aligned.
struct FieldList {
    private(set) var fields: [(String, String)] = []

    /// Adds a line; a missing value shows as `-`.
    mutating func add(_ label: String, _ value: String?) {
        fields.append((label, value.flatMap { $0.isEmpty ? nil : $0 } ?? "-"))
    }

    var rendered: String {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}
