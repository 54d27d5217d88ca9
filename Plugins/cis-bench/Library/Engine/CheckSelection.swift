import Foundation

/// Turns --check / --exclude / --section into the checks to run, in the benchmark's order.
public enum CheckSelection {
    static let seeAll = "list every id with `contsec run cis-bench list`"

    /// - Parameters:
    ///   - check: ids to run ("5.4"), or groups ("1.1" = 1.1.1–1.1.18, "5" = section 5); empty: all.
    ///   - exclude: ids or groups to leave out.
    ///   - sections: section numbers 1–7; empty: all.
    /// - Throws: `AuditInputError` naming the first unknown id or section.
    public static func resolve(check: [String], exclude: [String], sections: [String],
                               catalog: [CISCheck] = CISCatalog.checks) throws -> [CISCheck] {
        var wantedSections: Set<Int> = []
        for raw in sections.map(trim).filter({ !$0.isEmpty }) {
            guard let n = Int(raw), (1...7).contains(n) else {
                throw AuditInputError(param: "section", message: "unknown section '\(raw)': the CIS Docker Benchmark v1.6.0 has sections 1 to 7")
            }
            wantedSections.insert(n)
        }
        let included = try expand(check, param: "check", catalog: catalog)
        let excluded = try expand(exclude, param: "exclude", catalog: catalog)
        return catalog.filter { c in
            (included == nil || included!.contains(c.id)) && !(excluded ?? []).contains(c.id)
                && (wantedSections.isEmpty || wantedSections.contains(c.section))
        }
    }

    /// nil for an empty list (no restriction).
    static func expand(_ items: [String], param: String, catalog: [CISCheck]) throws -> Set<String>? {
        let ids = items.flatMap { $0.split(separator: ",") }.map { trim(String($0)) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { return nil }
        var result = Set<String>()
        for raw in ids {
            let id = raw.hasPrefix("CIS-") ? String(raw.dropFirst(4)) : raw
            if catalog.contains(where: { $0.id == id }) {
                result.insert(id)
                continue
            }
            let group = catalog.filter { $0.id.hasPrefix(id + ".") }.map(\.id)
            guard !group.isEmpty else {
                throw AuditInputError(param: param, message: "unknown check id '\(raw)': CIS Docker Benchmark v1.6.0 ids run from 1.1.1 to 7.9 (\(seeAll))")
            }
            result.formUnion(group)
        }
        return result
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }
}
