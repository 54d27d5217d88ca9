import Testing
@testable import YAMLReader

private func one(_ text: String) throws -> YAMLNode {
    let docs = try YAMLReader.parse(text)
    #expect(docs.count == 1)
    return docs[0]
}

private func parseError(_ text: String) -> YAMLError? {
    do {
        _ = try YAMLReader.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct YAMLBlockTests {
    @Test func nestedMappingsAndSequencesKeepOrderAndPositions() throws {
        let doc = try one("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web, tier: "front"}
        spec:
          containers:
          - name: app
            image: nginx:1.27
            ports:
              - containerPort: 80
          - name: side
            image: busybox
        """)
        #expect(doc.pairs.map { $0.key.scalar } == ["apiVersion", "kind", "metadata", "spec"])
        let containers = try #require(doc.at("spec", "containers"))
        #expect(containers.items.count == 2)
        #expect(containers.line == 8 && containers.column == 3)
        let first = try #require(containers[0])
        #expect(first["image"]?.scalar == "nginx:1.27")
        #expect(first["image"]?.line == 9)
        #expect(first.pair("image")?.key.column == 5)
        #expect(first.at("ports")?[0]?["containerPort"]?.int == 80)
        #expect(containers[1]?["name"]?.line == 12)
        #expect(doc.at("metadata", "labels", "tier")?.scalar == "front")
        #expect(doc.at("metadata", "labels", "tier")?.style == .doubleQuoted)
    }

    @Test func coreSchemaResolutionKeepsRawText() throws {
        let doc = try one("""
        a: 0x1F
        b: 0o17
        c: -12
        d: 1.5e3
        e: ~
        f:
        g: True
        h: yes
        i: "true"
        j: !!str 42
        k: 010
        """)
        #expect(doc["a"]?.value == .int(31))
        #expect(doc["b"]?.value == .int(15))
        #expect(doc["c"]?.value == .int(-12))
        #expect(doc["d"]?.value == .double(1500))
        #expect(doc["e"]?.isNull == true)
        #expect(doc["f"]?.isNull == true)
        #expect(doc["g"]?.bool == true)
        #expect(doc["h"]?.value == .string("yes"))
        #expect(doc["h"]?.isTruthy == true)
        #expect(doc["i"]?.value == .string("true"))
        #expect(doc["j"]?.value == .string("42"))
        #expect(doc["j"]?.tag == "tag:yaml.org,2002:str")
        #expect(doc["k"]?.value == .int(10))
        #expect(doc["k"]?.scalar == "010")
    }

    @Test func commentsAndQuotedKeys() throws {
        let doc = try one("""
        # leading comment
        "quoted key": 1   # trailing
        'single ''key''': two
        url: http://example.com/#anchor
        hash: a#b
        plain: value # comment here
        """)
        #expect(doc["quoted key"]?.int == 1)
        #expect(doc["single 'key'"]?.scalar == "two")
        #expect(doc["url"]?.scalar == "http://example.com/#anchor")
        #expect(doc["hash"]?.scalar == "a#b")
        #expect(doc["plain"]?.scalar == "value")
        #expect(doc.pairs[0].key.line == 2)
    }

    @Test func sequenceAtSameIndentAsParentKey() throws {
        let doc = try one("""
        services:
          web:
            ports:
            - "80:80"
            - 443:443
            volumes:
            - /var/run/docker.sock:/var/run/docker.sock
        other: x
        """)
        let web = try #require(doc.at("services", "web"))
        #expect(web["ports"]?.items.compactMap(\.scalar) == ["80:80", "443:443"])
        #expect(web["volumes"]?[0]?.line == 7)
        #expect(doc["other"]?.scalar == "x")
    }

    @Test func multiLinePlainAndQuotedScalarsFold() throws {
        let doc = try one("""
        a: this is
          folded plain

          with a break
        b: "double
          quoted \\"esc\\" \\u00e9 \\x41\\
          joined"
        c: 'it''s
          single'
        """)
        #expect(doc["a"]?.scalar == "this is folded plain\nwith a break")
        #expect(doc["b"]?.scalar == "double quoted \"esc\" é Ajoined")
        #expect(doc["c"]?.scalar == "it's single")
    }
}

@Suite struct YAMLBlockScalarTests {
    @Test func literalWithChomping() throws {
        let doc = try one("""
        clip: |
          line1
            indented
          line3


        strip: |-
          text


        keep: |+
          text


        last: end
        """)
        #expect(doc["clip"]?.scalar == "line1\n  indented\nline3\n")
        #expect(doc["strip"]?.scalar == "text")
        #expect(doc["keep"]?.scalar == "text\n\n\n")
        #expect(doc["last"]?.scalar == "end")
        #expect(doc["last"]?.line == 15)
    }

    @Test func foldedAndIndentationIndicator() throws {
        let doc = try one("""
        f: >
          one
          two

          three
            more indented
          four
        g: >-
          a
          b
        h: |2
            two extra
          base
        i: >-2
            weird order ok
        """)
        #expect(doc["f"]?.scalar == "one two\nthree\n  more indented\nfour\n")
        #expect(doc["g"]?.scalar == "a b")
        #expect(doc["h"]?.scalar == "  two extra\nbase\n")
        #expect(doc["i"]?.scalar == "  weird order ok")
    }

    @Test func blockScalarInSequenceAndAtEndOfFile() throws {
        let doc = try one("- |\n  run this\n  and this\n- >-\n  folded\n  end")
        #expect(doc[0]?.scalar == "run this\nand this\n")
        #expect(doc[1]?.scalar == "folded end")
    }
}

@Suite struct YAMLFlowTests {
    @Test func flowCollections() throws {
        let doc = try one("""
        a: {x: 1, y: [p, q, "r, s"], z: {}}
        b: [ {name: n1}, k: v, [1, 2] ]
        c: [
          multi,
          line,   # comment
        ]
        d: {"json": "style", "n":3}
        e: [http://a.b/c, 'x']
        """)
        #expect(doc.at("a", "y")?.items.compactMap(\.scalar) == ["p", "q", "r, s"])
        #expect(doc.at("a", "z")?.pairs.isEmpty == true)
        #expect(doc.at("a", "z")?.isMapping == true)
        #expect(doc["b"]?[0]?["name"]?.scalar == "n1")
        #expect(doc["b"]?[1]?["k"]?.scalar == "v")
        #expect(doc["b"]?[2]?.items.count == 2)
        #expect(doc["c"]?.items.compactMap(\.scalar) == ["multi", "line"])
        #expect(doc["c"]?[1]?.line == 5)
        #expect(doc["d"]?["json"]?.scalar == "style")
        #expect(doc["d"]?["n"]?.int == 3)
        #expect(doc["e"]?[0]?.scalar == "http://a.b/c")
    }
}

@Suite struct YAMLAnchorTests {
    @Test func anchorsAliasesAndMergeKeys() throws {
        let doc = try one("""
        x-base: &base
          restart: always
          environment:
            A: "1"
        x-more: &more
          restart: never
          user: app
        services:
          web:
            <<: *base
            image: web:1
          api:
            <<: [*more, *base]
            restart: unless-stopped
          tags: &t [a, b]
          copy: *t
        """)
        let web = try #require(doc.at("services", "web"))
        #expect(web.pairs.map { $0.key.scalar } == ["image", "restart", "environment"])
        #expect(web["restart"]?.scalar == "always")
        #expect(web["restart"]?.line == 2)
        let api = try #require(doc.at("services", "api"))
        #expect(api["restart"]?.scalar == "unless-stopped")
        #expect(api["user"]?.scalar == "app")
        #expect(api.at("environment", "A")?.scalar == "1")
        #expect(doc.at("services", "copy")?.items.compactMap(\.scalar) == ["a", "b"])
        #expect(doc.at("services", "copy")?.line == 16)
    }
}

@Suite struct YAMLRegressionTests {
    // Found by comparing against PyYAML on every YAML file of a Debian install.
    @Test func propertiesOnTheirOwnLine() throws {
        let doc = try one("""
        a:
          &common
          type: map
        b: *common
        c: !!map
          x: 1
        """)
        #expect(doc.at("a", "type")?.scalar == "map")
        #expect(doc.at("b", "type")?.scalar == "map")
        #expect(doc["a"]?.anchor == "common")
        #expect(doc.at("c", "x")?.int == 1)
    }

    @Test func literalKeepsSpacesOfWhitespaceOnlyLines() throws {
        let doc = try one("run: |\n  a\n    \n  b\n")
        #expect(doc["run"]?.scalar == "a\n  \nb\n")
    }

    @Test func tabsAreSeparationInsideFlowCollections() throws {
        let doc = try one("{\"k\": [\n\t\"a\",\n\t\"b\"\n]}")
        #expect(doc["k"]?.items.compactMap(\.scalar) == ["a", "b"])
    }
}

@Suite struct YAMLStreamTests {
    @Test func multiDocumentStreamWithDirectivesAndEndMarkers() throws {
        let docs = try YAMLReader.parse("""
        %YAML 1.2
        ---
        kind: A
        ...
        ---
        kind: B
        --- # comment
        - 1
        ---
        --- plain text
        """)
        #expect(docs.count == 5)
        #expect(docs[0]["kind"]?.scalar == "A")
        #expect(docs[1]["kind"]?.scalar == "B")
        #expect(docs[1]["kind"]?.line == 6)
        #expect(docs[2][0]?.int == 1)
        #expect(docs[3].isNull)
        #expect(docs[4].scalar == "plain text")
    }

    @Test func commentOnlyStreamHasNoDocuments() throws {
        #expect(try YAMLReader.parse("# nothing\n\n  # here\n").isEmpty)
        #expect(try YAMLReader.parse("").isEmpty)
    }

    @Test func crlfLineEndingsAndBOM() throws {
        let doc = try one("\u{FEFF}a: 1\r\nb:\r\n  - x\r\n")
        #expect(doc["b"]?[0]?.scalar == "x")
        #expect(doc["b"]?[0]?.line == 3)
    }
}

@Suite struct YAMLErrorTests {
    @Test func mappingValuesNotAllowed() throws {
        let e = try #require(parseError("a: 1\nb: c: d\n"))
        #expect(e.line == 2)
        #expect(e.message.contains("mapping values are not allowed here"))
    }

    @Test func wronglyIndentedContinuationLine() throws {
        let e = try #require(parseError("services:\n  web:\n    image: x\n      ports: 80\n"))
        #expect(e.line == 4)
        #expect(e.message.contains("mapping values are not allowed"))
    }

    @Test func tabIndentation() throws {
        let e = try #require(parseError("a:\n\tb: 1\n"))
        #expect(e.line == 2)
        #expect(e.message.contains("tab"))
    }

    @Test func unterminatedQuote() throws {
        let e = try #require(parseError("a: 1\nb: \"open\nc: 2\n"))
        #expect(e.line == 2)
        #expect(e.column == 4)
        #expect(e.message.contains("unterminated"))
    }

    @Test func badIndentation() throws {
        let e = try #require(parseError("a:\n    b: 1\n  c: 2\n"))
        #expect(e.line == 3)
        #expect(e.message.contains("bad indentation"))
    }

    @Test func undefinedAlias() throws {
        let e = try #require(parseError("a: 1\nb: *nope\n"))
        #expect(e.line == 2)
        #expect(e.message.contains("undefined alias '*nope'"))
    }

    @Test func missingColonAndUnclosedFlow() throws {
        let e = try #require(parseError("a: 1\nb\n"))
        #expect(e.line == 2)
        #expect(e.message.contains("':'"))
        let f = try #require(parseError("x: 1\ny: [a, b\nz: 2\n"))
        #expect(f.line == 3)
        #expect(f.message.contains("'[' opened at line 2"))
        let g = try #require(parseError("x: 1\ny: [a, b\n"))
        #expect(g.line == 2)
        #expect(g.message.contains("unterminated flow sequence"))
    }

    @Test func duplicateKeysAreRejected() throws {
        let e = try #require(parseError("spec:\n  a: 1\nkind: Pod\nspec: {}\n"))
        #expect(e.line == 4)
        #expect(e.message.contains("duplicate mapping key 'spec' (first defined at line 1)"))
        #expect(parseError("{a: 1, a: 2}")?.message.contains("duplicate") == true)
        // A merged key may be overridden: that is not a duplicate.
        #expect(parseError("b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n") == nil)
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(parseError(deep)?.message.contains("nesting deeper than") == true)
    }

    @Test func errorDescriptionNamesLineAndColumn() throws {
        let e = try #require(parseError("k: v: w"))
        #expect(e.description.hasPrefix("line 1, column 5:"))
    }
}

/// The bugs the YAML test suite found (issue #19, item 13), each as the smallest document that showed it.
@Suite struct YAMLSuiteFindingsTests {
    @Test func propertiesOnTheirOwnLineDoNotLeakIntoTheValue() throws {
        let docs = try YAMLReader.parse("--- !!str\nscalar1\n---\n&a1\n!!str\nscalar2\n")
        #expect(docs[0].scalar == "scalar1")
        #expect(docs[0].tag == "tag:yaml.org,2002:str")
        #expect(docs[1].scalar == "scalar2" && docs[1].anchor == "a1")
        let m = try one("top4:\n  &node4\n  &k4 key4: four\n")
        #expect(m.at("top4", "key4")?.scalar == "four")
        #expect(m["top4"]?.anchor == "node4")
        #expect(m["top4"]?.pairs.first?.key.anchor == "k4")
    }

    @Test func anchorsAndTagsBeforeImplicitKeysBelongToTheKey() throws {
        let doc = try one("&a a: b\n!!str c: *a\n")
        #expect(doc["a"]?.scalar == "b")
        #expect(doc.pairs[0].key.anchor == "a")
        #expect(doc["c"]?.scalar == "a") // the alias names the key
        #expect(try one("- &x k: v\n  l: w\n")[0]?["l"]?.scalar == "w")
    }

    @Test func escapedTabBeforeALineFoldSurvives() throws {
        #expect(try one("\"1 trailing\\t\n    tab\"").scalar == "1 trailing\t tab")
        #expect(try one("\"plain trailing \t\n  tab\"").scalar == "plain trailing tab")
    }

    @Test func blockScalarWhitespace() throws {
        #expect(try one("- |+\n   \n")[0]?.scalar == "\n")             // spaces-only line: empty, not content
        #expect(try one("- >\n \t\n detected\n")[0]?.scalar == "\t\ndetected\n") // a tab is content
        #expect(try one("foo: |\n \t\nbar: 1\n")["foo"]?.scalar == "\t\n")
        // A leading empty line longer than the first text line, and a tab as indentation, are errors.
        #expect(parseError("a: >\n   \n  text\n")?.message.contains("more spaces") == true)
        #expect(parseError("foo: |\n\t\nbar: 1\n")?.message.contains("tab") == true)
    }

    /// The end of the file ends the last line: `|` keeps one line break whether or not the file has a final
    /// newline (suite case L24T/01, as its reference parser reads it).
    @Test func blockScalarAtEndOfFile() throws {
        #expect(try one("a: |\n  text")["a"]?.scalar == "text\n")
        #expect(try one("a: |\n  text\n")["a"]?.scalar == "text\n")
        #expect(try one("a: |-\n  text")["a"]?.scalar == "text")
    }

    @Test func nonSpecificAndCoreTagsResolve() throws {
        let doc = try one("- ! 12\n- !!int \"12\"\n- !!str\n- !!float 1\n- !Ref x\n")
        #expect(doc[0]?.value == .string("12"))
        #expect(doc[1]?.value == .int(12))
        #expect(doc[2]?.value == .string(""))
        #expect(doc[3]?.value == .double(1))
        #expect(doc[4]?.tag == "!Ref" && doc[4]?.value == .string("x"))
        // %TAG can rebind `!!`: the text is then not an integer.
        let p = try YAMLReader.parse("%TAG !! tag:example.com,2000:app/\n---\n!!int 1 - 3\n")
        #expect(p[0].value == .string("1 - 3"))
    }

    @Test func explicitKeysAndEmptyKeys() throws {
        let doc = try one("? a\n: 1\n? b\nc: 2\n: 3\n")
        #expect(doc["a"]?.int == 1)
        #expect(doc["b"]?.isNull == true)
        #expect(doc["c"]?.int == 2)
        #expect(doc.pairs[3].key.isNull && doc.pairs[3].value.int == 3)
    }

    @Test func complexKeysAreRefusedAsUnsupported() throws {
        for text in ["? - a\n: b\n", "[a, b]: c\n", "{a: 1}: b\n", "{[a]: b}\n", "- [ [x]: y ]\n"] {
            let e = try #require(parseError(text), "\(text) was accepted")
            #expect(e.unsupported, "\(text): \(e)")
            #expect(e.message.contains("not supported"))
        }
    }

    @Test func invalidDocumentsAreRefused() throws {
        for text in ["--- key: value\n", "&anchor - entry\n", "a: &x 1\nb: &y *x\n", "a: \"x\"# c\n", "[ , a]\n", "[a, , b]\n",
                     "[-]\n", "%YAML 1.2\n", "top: &a\n  &b v\n", "- !!str, x\n",
                     "[ key\n  : value ]\n", "%TAG !p! tag:x,1:\n--- !p!A a\n...\n--- !p!B b\n"] {
            #expect(parseError(text) != nil, "accepted: \(text)")
            #expect(parseError(text)?.unsupported == false)
        }
    }
}
