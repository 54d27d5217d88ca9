import Testing
@testable import IaCScan

/// Cases from hadolint's own rule specs (hadolint/hadolint test/Hadolint/Rule/DLxxxxSpec.hs, GPL-3.0: the Dockerfile
/// lines and whether hadolint catches them are facts about hadolint's behaviour, restated here as data). Each case
/// runs through iac-scan and checks the rule whose hadolint column names the code: it must fire exactly where
/// hadolint's spec says `ruleCatches`. Deliberate differences are listed apart, with the reason.
@Suite struct HadolintSpecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var code: String, dockerfile: String, catches: Bool
        init(_ code: String, _ dockerfile: String, _ catches: Bool) {
            self.code = code; self.dockerfile = dockerfile; self.catches = catches
        }
        var testDescription: String { "\(code) \(catches ? "catches" : "passes") \(dockerfile.split(separator: "\n").last ?? "")" }
    }

    static let dl3018: [Case] = [
        Case("DL3018", "RUN apk add flex", true),
        Case("DL3018", "RUN apk add flex=2.6.4-r1", false),
        Case("DL3018", "RUN apk add --no-cache git~2.52.0", false),
        Case("DL3018", "RUN apk add --no-cache flex=2.6.4-r1 \\\n && pip install -r requirements.txt", false),
        Case("DL3018", "RUN apk add --no-cache \\\nflex=2.6.4-r1 \\\nlibffi=3.2.1-r3 \\\npython2=2.7.13-r1 \\\nlibbz2=1.0.6-r5", false),
        Case("DL3018", "RUN apk add --no-cache \\\nflex=2.6.4-r1 \\\nlibffi \\\npython2=2.7.13-r1 \\\nlibbz2=1.0.6-r5", true),
        Case("DL3018", "RUN apk add \\\n--virtual build-dependencies \\\npython-dev=1.1.1 build-base=2.2.2 wget=3.3.3 \\\n"
             + "&& pip install -r requirements.txt \\\n&& python setup.py install \\\n&& apk del build-dependencies", false),
        Case("DL3018", "RUN apk add --no-cache \\\n--repository https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0", false),
        Case("DL3018", "RUN apk add --no-cache \\\n--repository=https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0", false),
        Case("DL3018", "RUN apk add --no-cache \\\n-X https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0", false),
        Case("DL3018", "RUN apk add mypackage-1.1.1.apk", false),
    ]

    static let dl3047: [Case] = [
        Case("DL3047", "FROM node as foo\nRUN wget my.xyz", true),
        Case("DL3047", "FROM node as foo\nRUN wget --progress=dot:giga my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget -q my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget --quiet my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget -nv my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget --no-verbose my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget --output-file=/tmp/wget.log my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget -o /tmp/wget.log my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget --append-output=/tmp/wget.log my.xyz", false),
        Case("DL3047", "FROM node as foo\nRUN wget -a /tmp/wget.log my.xyz", false),
    ]

    static let dl3059: [Case] = [
        Case("DL3059", "FROM debian:10", false),
        Case("DL3059", "RUN /foo.sh", false),
        Case("DL3059", "RUN /foo.sh\nWORKDIR /\nRUN /bar.sh", false),
        Case("DL3059", "RUN /foo.sh\nRUN /bar.sh", true),
        Case("DL3059", "RUN /foo.sh\n# a comment\nRUN /bar.sh", true),
        Case("DL3059", "RUN /foo.sh\n# a comment\n# another comment\nRUN /bar.sh", true),
        Case("DL3059", "# a comment\nRUN /foo.sh", false),
        Case("DL3059", "RUN --mount=type=secret,id=foo /foo.sh\nRUN /bar.sh", false),
        Case("DL3059", "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh", false),
        Case("DL3059", "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /bar.sh", true),
        Case("DL3059", "RUN foo && bar\nRUN foobar", false),
        Case("DL3059", "RUN foo; bar\nRUN foobar", false),
        Case("DL3059", "RUN foobar\nRUN foo && bar", false),
        Case("DL3059", "RUN foobar\nRUN foo; bar", false),
        Case("DL3059", "RUN foo && bar\nRUN foo; bar", false),
        Case("DL3059", "RUN foo && bar\nRUN foo\nRUN bar", true),
    ]

    static let dl3042: [Case] = {
        var c: [Case] = [
            Case("DL3042", "RUN pip2 install MySQL_python", true),
            Case("DL3042", "RUN pip3 install MySQL_python", true),
            Case("DL3042", "RUN pip install MySQL_python", true),
            Case("DL3042", "RUN pip2 install MySQL_python --no-cache-dir", false),
            Case("DL3042", "RUN pip3 install --no-cache-dir MySQL_python", false),
            Case("DL3042", "RUN pip install MySQL_python --no-cache-dir", false),
            Case("DL3042", "RUN pipx install software", false),
            Case("DL3042", "RUN pipenv install library", false),
            Case("DL3042", "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six", false),
            Case("DL3042", "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:buster\nRUN pip install six", true),
        ]
        for (values, catches) in [(["1", "on", "yes", "true"], false), (["0", "off", "no", "false"], true)] {
            for v in values {
                c.append(Case("DL3042", "ENV PIP_NO_CACHE_DIR=\(v)\nRUN pip install MySQL_python", catches))
                c.append(Case("DL3042", "RUN PIP_NO_CACHE_DIR=\(v) pip install MySQL_python", catches))
                c.append(Case("DL3042", "RUN export PIP_NO_CACHE_DIR=\(v) && pip install MySQL_python", catches))
            }
        }
        return c
    }()

    static let dl3013: [Case] = [
        Case("DL3013", "RUN pip2 install MySQL_python", true),
        Case("DL3013", "RUN pip3 install MySQL_python", true),
        Case("DL3013", "RUN pip3 install MySQL_python==1.2.2", false),
        Case("DL3013", "RUN pip3 install mypkg.whl", false),
        Case("DL3013", "RUN pip3 install mypkg.tar.gz", false),
        Case("DL3013", "RUN pip install -r requirements.txt", false),
        Case("DL3013", "RUN pip install --requirement requirements.txt", false),
        Case("DL3013", "RUN pip install .", false),
        Case("DL3013", "RUN pip install MySQL_python", true),
        Case("DL3013", "RUN pip install MySQL_python==1.2.2", false),
        Case("DL3013", "RUN pip install MySQL_python~=1.2.2", false),
        Case("DL3013", "RUN pip install MySQL_python===1.2.2", false),
        Case("DL3013", "RUN pip install --ignore-installed MySQL_python==1.2.2", false),
        Case("DL3013", "RUN pip3 install --build /opt/yamllint yamllint==1.20.0", false),
        Case("DL3013", "RUN pip3 install --prefix /opt/yamllint yamllint==1.20.0", false),
        Case("DL3013", "RUN pip3 install --root /opt/yamllint yamllint==1.20.0", false),
        Case("DL3013", "RUN pip3 install --target /opt/yamllint yamllint==1.20.0", false),
        Case("DL3013", "RUN pip3 install --trusted-host host example==1.2.2", false),
        Case("DL3013", "RUN python -m pip install example==1.2.2", false),
        Case("DL3013", "RUN python -m pip install example", true),
        Case("DL3013", "RUN python -m pip install --index-url url example", true),
        Case("DL3013", "RUN pip install git+https://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext", false),
        Case("DL3013", "RUN pip install git+https://github.com/rtfd/read-ext.git#egg=read-ext", true),
        Case("DL3013", "RUN pip install 'alabaster>=0.7'", false),
        Case("DL3013", "RUN pip install 'alabaster<0.7'", false),
        Case("DL3013", "RUN pip install 'alabaster!=0.7'", false),
        Case("DL3013", "RUN pip install MySQL_python==1.2.2 --user", false),
        Case("DL3013", "RUN pip install MySQL_python==1.2.2 --disable-pip-version-check", false),
        Case("DL3013", "RUN pip install --index-url https://eg.com/foo foobar==1.0.0", false),
        Case("DL3013", "RUN pip install --index-url https://eg.com/foo --extra-index-url https://ex-eg.io/foo foobar==1.0.0", false),
        Case("DL3013", "RUN pip install MySQL_python==1.2.2 --no-cache-dir", false),
        Case("DL3013", "RUN pip install pykafka --constraint http://foo.bar.baz", false),
        Case("DL3013", "RUN pip install pykafka -c http://foo.bar.baz", false),
        Case("DL3013", "RUN pip install --index-url https://user:pass@eg.com/foo --extra-index-url https://user:pass@ex-eg.io/foo foobar==1.0.0", false),
    ]

    static let dl3062: [Case] = [
        Case("DL3062", "RUN go install .", false),
        Case("DL3062", "RUN go install /go/app/foobar", false),
        Case("DL3062", "RUN go install ./app/foobar", false),
        Case("DL3062", "RUN go run .", false),
        Case("DL3062", "RUN go run /go/app/foobar", false),
        Case("DL3062", "RUN go run ./app/foobar", false),
        Case("DL3062", "RUN go run example.com/pkg", true),
        Case("DL3062", "RUN go get example.com/pkg", true),
        Case("DL3062", "RUN go install example.com/pkg", true),
        Case("DL3062", "RUN go get example.com/pkg@v1.2.3", false),
        Case("DL3062", "RUN go install example.com/pkg@v1.2.3", false),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3", false),
        Case("DL3062", "RUN go get example.com/pkg@latest", true),
        Case("DL3062", "RUN go install example.com/pkg@latest", true),
        Case("DL3062", "RUN go run example.com/pkg@latest", true),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3 foobar", false),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3 --foo bar", false),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3 -f", false),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3 -foobar", false),
        Case("DL3062", "RUN go run example.com/pkg@v1.2.3 --foobar", false),
        Case("DL3062", "RUN go get -tool foobar", true),
        Case("DL3062", "RUN go get -tool foobar@v1.2.3", false),
        Case("DL3062", "RUN go get -tool foobar@latest", true),
    ]

    static let dl4006: [Case] = [
        Case("DL4006", "FROM scratch\nRUN wget -O - https://some.site | wc -l > /number", true),
        Case("DL4006", "FROM scratch as build\nRUN wget -O - https://some.site && wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-e\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"errexit\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/zsh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/usr/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/usr/local/bin/zsh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", true),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number\n"
             + "FROM scratch as build2\nRUN wget -O - https://some.site | wc -l file > /number", true),
        Case("DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number\n"
             + "SHELL [\"/bin/sh\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", true),
        Case("DL4006", "FROM mcr.microsoft.com/powershell:ubuntu-16.04\nSHELL [ \"powershell.exe\" ]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false),
        Case("DL4006", "FROM mcr.microsoft.com/powershell:ubuntu-16.04\nSHELL [ \"cmd.exe\", \"/c\" ]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false),
    ]

    static let dl3008: [Case] = [
        Case("DL3008", "RUN apt-get update && apt-get install python", true),
        Case("DL3008", "RUN apt-get update \\\n && apt-get -yqq --no-install-recommends install nodejs=0.10 \\\n && rm -rf /var/lib/apt/lists/*", false),
        Case("DL3008", "RUN apt-get update && apt-get install --no-install-recommends -y \\\npython-demjson=2.2.2* \\\nwget=1.16.1* \\\ngit=1:2.5.0* \\\nruby=1:2.1.*", false),
        Case("DL3008", "RUN apt-get install -y python=1.2.2", false),
        Case("DL3008", "RUN apt-get install ./wkhtmltox_0.12.5-1.bionic_amd64.deb", false),
        Case("DL3008", "RUN apt-get -y --no-install-recommends install nodejs=0.10", false),
        Case("DL3008", "RUN set -e &&\\\n echo \"deb http://http.debian.net/debian jessie-backports main\" > /etc/apt/sources.list.d/jessie-backports.list &&\\\n"
             + " apt-get update &&\\\n apt-get install -y --no-install-recommends -t jessie-backports openjdk-8-jdk=8u131-b11-1~bpo8+1 &&\\\n"
             + " rm -rf /var/lib/apt/lists/*", false),
    ]

    static let dl3016: [Case] = [
        Case("DL3016", "RUN npm install", false),
        Case("DL3016", "RUN npm install --progress=false", false),
        Case("DL3016", "RUN npm install express@4.1.1", false),
        Case("DL3016", "RUN npm install @myorg/privatepackage@\">=0.1.0\"", false),
        Case("DL3016", "RUN npm install express@\"4.1.1\" sax@0.1.1", false),
        Case("DL3016", "RUN npm install --global express@\"4.1.1\"", false),
        Case("DL3016", "RUN npm install -g express@\"4.1.1\"", false),
        Case("DL3016", "RUN npm install package-v1.2.3.tar", false),
        Case("DL3016", "RUN npm install package-v1.2.3.tar.gz", false),
        Case("DL3016", "RUN npm install package-v1.2.3.tgz", false),
        Case("DL3016", "RUN npm install /folder", false),
        Case("DL3016", "RUN npm install ./folder", false),
        Case("DL3016", "RUN npm install ../folder", false),
        Case("DL3016", "RUN npm install ~/folder", false),
        Case("DL3016", "RUN npm install git+ssh://git@github.com:npm/npm.git#v1.0.27", false),
        Case("DL3016", "RUN npm install git+http://isaacs@github.com/npm/npm#semver:^5.0", false),
        Case("DL3016", "RUN npm install git+https://isaacs@github.com/npm/npm.git#v1.0.27", false),
        Case("DL3016", "RUN npm install git://github.com/npm/npm.git#v1.0.27", false),
        Case("DL3016", "RUN npm run --crazy install", false),
        Case("DL3016", "RUN npm install @myorg/privatepackage@\">=0.1.0 <0.2.0\"", false),
        Case("DL3016", "RUN npm install express", true),
        Case("DL3016", "RUN npm install @myorg/privatepackage", true),
        Case("DL3016", "RUN npm install express sax@0.1.1", true),
        Case("DL3016", "RUN npm install --global express", true),
        Case("DL3016", "RUN npm install git+ssh://git@github.com:npm/npm.git", true),
        Case("DL3016", "RUN npm install git+http://isaacs@github.com/npm/npm", true),
        Case("DL3016", "RUN npm install git+https://isaacs@github.com/npm/npm.git", true),
        Case("DL3016", "RUN npm install git://github.com/npm/npm.git", true),
        Case("DL3016", "RUN npm install --loglevel verbose sax@0.1.1", false),
        Case("DL3016", "RUN npm install --registry https://example.com sax@0.1.1", false),
        Case("DL3016", "RUN npm install --registry https://example.com express", true),
        Case("DL3016", "RUN npm install --registry=https://example.com express", true),
    ]

    static let all = dl3008 + dl3016 + dl3018 + dl3047 + dl3059 + dl3042 + dl3013 + dl3062 + dl4006

    /// The iac-scan rule that carries a hadolint code in its hadolint column.
    static func rule(for code: String) -> String? {
        RuleTable.all.first { $0.hadolint?.split(separator: ",").contains(Substring(code)) == true }?.id
    }

    @Test(arguments: all)
    func iacScanAgreesWithHadolintsSpec(_ c: Case) throws {
        let id = try #require(Self.rule(for: c.code), "no rule maps \(c.code)")
        let text = (c.dockerfile.hasPrefix("FROM") ? "" : "FROM debian:12\n") + c.dockerfile + "\n"
        let fired = scan(text, .dockerfile).findings.contains { $0.ruleId == id }
        #expect(fired == c.catches, "\(id) (\(c.code)) on:\n\(text)")
    }
}
