import Foundation
import ContsecProtocol
import RegistryClient

/// Verify's findings (category supply-chain), one per tag that fails.
public enum SignatureFindings {
    public static let unsignedRule = "REG-SIG-001"
    public static let invalidRule = "REG-SIG-002"
    public static let otherDigestRule = "REG-SIG-003"

    public static func finding(for result: TagVerification, keyFingerprint: String) -> Finding? {
        let name = result.image.description
        let target = Target(kind: "image", name: name)
        let properties: [String: JSONValue] = ["digest": .string(result.digest.description), "key": .string(keyFingerprint),
                                               "signatureTag": .string(result.digest.signatureTag),
                                               "signatures": .int(result.signatureCount)]
        let references = ["https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md"]
        switch result.verdict {
        case .verified:
            return nil
        case .unsigned:
            return Finding(ruleId: unsignedRule, title: "Image is not signed", severity: .high, category: .supplyChain, target: target,
                           message: "no signature is stored for \(result.digest) (no \(result.digest.signatureTag) in the repository)",
                           remediation: "Sign the image after pushing it: contsec run registry sign --repo … --tag … --signing-key KEY.key",
                           references: references, fingerprint: "\(unsignedRule)|\(name)|\(result.digest)", properties: properties)
        case .invalid(let reasons):
            return Finding(ruleId: invalidRule, title: "No valid signature by the key", severity: .critical, category: .supplyChain,
                           target: target,
                           message: "\(result.signatureCount) signature(s) stored for \(result.digest), none valid for key \(keyFingerprint): "
                               + reasons.joined(separator: "; "),
                           remediation: "Do not deploy this image: its signatures do not check out. Re-sign it with the right key if it is genuine",
                           references: references, fingerprint: "\(invalidRule)|\(name)|\(result.digest)", properties: properties)
        case .otherDigest(let signed, let evidence):
            var extra = properties
            extra["signedDigest"] = .string(signed.description)
            return Finding(ruleId: otherDigestRule, title: "Signature is for another digest: the tag was moved after signing",
                           severity: .critical, category: .supplyChain, target: target,
                           message: "\(evidence); the signature covers \(signed), the tag points at \(result.digest)",
                           remediation: "Find out who moved the tag; deploy by the signed digest, or sign the new digest if it is genuine",
                           references: references, fingerprint: "\(otherDigestRule)|\(name)|\(result.digest)", properties: extra)
        }
    }
}
