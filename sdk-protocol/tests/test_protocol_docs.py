"""Checks that sdk-protocol's schemas, transcripts, Python SDK and example plugins agree with each other.

Run: cd /work/main && python3 -m unittest discover -s sdk-protocol/tests -v   (stdlib only)
"""
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from plugin_driver import PluginProcess, initialize_params  # noqa: E402
from schema_subset import SchemaStore  # noqa: E402

ROOT = os.path.dirname(HERE)
SCHEMAS = os.path.join(ROOT, "schema")
TRANSCRIPTS = os.path.join(ROOT, "transcripts")
FILE_PERMS = os.path.join(ROOT, "examples", "python-file-perms", "contsec-file-perms")
SH_HELLO = os.path.join(ROOT, "examples", "sh-hello", "contsec-sh-hello")
FIXTURE = os.path.join(HERE, "fixtures", "contsec-sdk-fixture")
STORE = SchemaStore(SCHEMAS)
EXIT_WAIT = 2.0


def parse_transcript(path):
    """[(direction, message, line number)] from the ```transcript blocks of a markdown file.

    "→" host to plugin, "←" plugin to host, "→!" a host line that deliberately breaks the protocol (an
    unknown method...): it must be a JSON-RPC request or notification, and must NOT be a valid host message.
    """
    out, inside = [], False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("```"):
                inside = line.strip() == "```transcript" if not inside else False
                continue
            if not inside or not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^(→!|→|←) (\{.*\})$", line)
            if not m:
                raise AssertionError("%s:%d: transcript lines are '→ {json}', '→! {json}', '← {json}' or '# comment'"
                                     % (path, n))
            direction = {"→": "host", "→!": "host-deliberately-wrong", "←": "plugin"}[m.group(1)]
            out.append((direction, json.loads(m.group(2)), n))
    return out


def transcript_files():
    return sorted(os.path.join(TRANSCRIPTS, f) for f in os.listdir(TRANSCRIPTS) if f.endswith(".md"))


class SchemaTests(unittest.TestCase):
    def test_every_schema_is_loaded_and_self_consistent(self):
        names = set(STORE.by_file)
        for required in ["request.schema.json", "notification.schema.json", "response-success.schema.json",
                         "response-error.schema.json", "error.schema.json", "initialize.params.schema.json",
                         "initialize.result.schema.json", "initialized.notification.schema.json",
                         "run.params.schema.json", "run.result.schema.json", "cancel.notification.schema.json",
                         "shutdown.request.schema.json", "exit.notification.schema.json", "finding.schema.json",
                         "action.schema.json", "progress.params.schema.json", "log.params.schema.json",
                         "command-spec.schema.json", "param-spec.schema.json", "plugin-manifest.schema.json"]:
            self.assertIn(required, names)
        for uri, doc in STORE.docs.items():
            self.assertEqual(doc["$schema"], "https://json-schema.org/draft/2020-12/schema", uri)
            self.assertTrue(uri.startswith("https://contsec.dev/schema/v1/"), uri)
            # Every $ref resolves (walk the document).
            def walk(node, base):
                if isinstance(node, dict):
                    if isinstance(node.get("$ref"), str):
                        STORE._resolve(node["$ref"], base)
                    for v in node.values():
                        walk(v, base)
                elif isinstance(node, list):
                    for v in node:
                        walk(v, base)
            walk(doc, uri)

    def test_schemas_reject_what_the_protocol_forbids(self):
        # Each case breaks exactly one rule of PROTOCOL.md; the validator must say no.
        finding = {"ruleId": "X-1", "title": "t", "severity": "high", "category": "secret",
                   "target": {"kind": "file", "name": "a"}}
        self.assertEqual(STORE.errors(finding, "finding.schema.json"), [])
        bad = [
            (dict(finding, severity="severe"), "finding.schema.json"),
            (dict(finding, category="secrets"), "finding.schema.json"),
            (dict(finding, ruleId=""), "finding.schema.json"),
            (dict(finding, target={"kind": "file", "name": "a", "line": 0}), "finding.schema.json"),
            (dict(finding, references=["r"] * 101), "finding.schema.json"),
            (dict(finding, extra=1), "finding.schema.json"),
            ({"jsonrpc": "2.0", "id": None, "method": "run", "params": {"command": "x", "args": {}}},
             "host-to-plugin.schema.json"),
            ({"jsonrpc": "2.0", "id": True, "method": "shutdown"}, "host-to-plugin.schema.json"),
            ({"jsonrpc": "2.0", "id": 3, "method": "run", "params": ["scan"]}, "request.schema.json"),
            ({"jsonrpc": "2.0", "method": "progress", "params": ["half"]}, "notification.schema.json"),
            ({"ruleId": "R", "title": "t", "severity": "low", "category": "runtime", "target": {"kind": "host", "name": ""}},
             "finding.schema.json"),
            ({"ruleId": "R", "title": "", "severity": "low", "category": "runtime", "target": {"kind": "host", "name": "h"}},
             "finding.schema.json"),
            ({"jsonrpc": "1.0", "id": 1, "method": "shutdown"}, "host-to-plugin.schema.json"),
            ({"jsonrpc": "2.0", "id": 1, "error": {"code": -32010, "message": "unsupported"}},
             "plugin-to-host.schema.json"),
            ({"jsonrpc": "2.0", "id": 1, "error": {"code": -32011, "message": "m", "data": {"tool": "trivy"}}},
             "plugin-to-host.schema.json"),
            ({"jsonrpc": "2.0", "id": 1, "error": {"code": -1, "message": "m"}}, "plugin-to-host.schema.json"),
            ({"jsonrpc": "2.0", "method": "progress", "params": {"current": -1}}, "plugin-to-host.schema.json"),
            ({"jsonrpc": "2.0", "method": "action", "params": {"kind": "k", "target": "t", "status": "done"}},
             "plugin-to-host.schema.json"),
            ({"status": "gate-tripped"}, "run.result.schema.json"),
            ({"name": "x", "type": "int", "default": "3", "description": "d"}, "param-spec.schema.json"),
            ({"name": "x", "type": "int", "enum": ["1"], "description": "d"}, "param-spec.schema.json"),
            ({"name": "Bad", "type": "string", "description": "d"}, "param-spec.schema.json"),
            ({"command": "scan", "args": {"n": 1.5}}, "run.params.schema.json"),
            ({"name": "p", "version": "1", "protocolVersions": ["1.0"], "executable": "../x"},
             "plugin-manifest.schema.json"),
            ({"name": "p", "version": "1", "protocolVersions": ["1.0"], "executable": "x", "sha256": "ab" * 31},
             "plugin-manifest.schema.json"),
        ]
        for instance, schema in bad:
            with self.subTest(instance=instance):
                self.assertNotEqual(STORE.errors(instance, schema), [], "accepted: %s" % json.dumps(instance)[:200])

    def test_subset_validator_agrees_with_jsonschema_when_available(self):
        try:
            import jsonschema
            from referencing import Registry, Resource
        except ImportError:
            self.skipTest("jsonschema/referencing not installed; the stdlib subset validator is used alone")
        registry = Registry().with_resources([(uri, Resource.from_contents(doc)) for uri, doc in STORE.docs.items()])
        for doc in STORE.docs.values():
            jsonschema.Draft202012Validator.check_schema(doc)
        samples = [(m, "plugin-to-host.schema.json" if d == "plugin" else "host-to-plugin.schema.json")
                   for path in transcript_files() for d, m, _ in parse_transcript(path)]
        samples += [({"jsonrpc": "2.0", "id": 1, "error": {"code": -32010, "message": "x"}}, "plugin-to-host.schema.json"),
                    ({"jsonrpc": "2.0", "method": "finding", "params": {"ruleId": ""}}, "plugin-to-host.schema.json")]
        for instance, name in samples:
            validator = jsonschema.Draft202012Validator(STORE.docs[STORE.uri(name)], registry=registry)
            self.assertEqual(validator.is_valid(instance), STORE.errors(instance, name) == [], json.dumps(instance)[:200])


class TranscriptTests(unittest.TestCase):
    def test_there_are_transcripts_for_the_documented_cases(self):
        names = [os.path.basename(p) for p in transcript_files()]
        self.assertGreaterEqual(len(names), 3, names)
        for topic in ("normal", "version", "cancel", "error"):
            self.assertTrue(any(topic in n for n in names), "no transcript about %r in %s" % (topic, names))

    def test_every_transcript_line_validates_and_answers_match_requests(self):
        self.assertTrue(transcript_files())
        for path in transcript_files():
            with self.subTest(transcript=os.path.basename(path)):
                lines = parse_transcript(path)
                self.assertTrue(lines, "%s has no transcript lines" % path)
                pending = {}
                for direction, msg, n in lines:
                    where = "%s:%d" % (os.path.basename(path), n)
                    if direction == "host-deliberately-wrong":
                        envelope = "request.schema.json" if "id" in msg else "notification.schema.json"
                        self.assertEqual(STORE.errors(msg, envelope), [], where)
                        self.assertNotEqual(STORE.errors(msg, "host-to-plugin.schema.json"), [],
                                            "%s is marked →! but is a valid host message" % where)
                        if "id" in msg:
                            pending[json.dumps(msg["id"])] = msg["method"]
                        continue
                    if direction == "host":
                        errors = STORE.errors(msg, "host-to-plugin.schema.json")
                        if "id" in msg:
                            pending[json.dumps(msg["id"])] = msg["method"]
                    else:
                        errors = STORE.errors(msg, "plugin-to-host.schema.json")
                        if not errors and "id" in msg and msg["id"] is not None:
                            method = pending.pop(json.dumps(msg["id"]), None)
                            self.assertIsNotNone(method, "%s: answer to an id that is not pending" % where)
                            if "result" in msg:
                                errors = STORE.errors(msg, "%s.response.schema.json" % method)
                    self.assertEqual(errors, [], "%s: %s" % (where, json.dumps(msg)[:200]))
                self.assertEqual(pending, {}, "%s: requests never answered" % path)

    def test_replayable_transcripts_match_the_example_plugins(self):
        # A transcript marked <!-- replay: contsec-x contsec-y --> must be reproduced by those plugins:
        # same answers in the same order (ids, error codes and data, result status), not the same wording.
        plugins = {"contsec-file-perms": FILE_PERMS, "contsec-sh-hello": SH_HELLO}
        replayed = 0
        for path in transcript_files():
            with open(path, encoding="utf-8") as f:
                text = f.read()
            m = re.search(r"<!-- replay: ([^>]*) -->", text)
            if not m:
                continue
            lines = parse_transcript(path)
            for name in m.group(1).split():
                with self.subTest(transcript=os.path.basename(path), plugin=name):
                    replayed += 1
                    p = PluginProcess([plugins[name]], STORE, cwd=tempfile.gettempdir())
                    try:
                        for direction, msg, n in lines:
                            if direction != "plugin":
                                p.send_unchecked(msg)
                                continue
                            if "method" in msg:
                                continue  # notifications depend on the plugin; answers must not
                            got = p.recv()
                            while got is not None and "method" in got:
                                got = p.recv()
                            self.assertIsNotNone(got, "line %d: plugin exited early" % n)
                            self.assertEqual(got.get("id"), msg["id"], "line %d" % n)
                            if "error" in msg:
                                self.assertIn("error", got, "line %d: %s" % (n, got))
                                self.assertEqual(got["error"]["code"], msg["error"]["code"], "line %d" % n)
                                self.assertEqual(got["error"].get("data"), msg["error"].get("data"), "line %d" % n)
                            else:
                                self.assertIn("result", got, "line %d: %s" % (n, got))
                                if isinstance(msg["result"], dict) and "status" in msg["result"]:
                                    self.assertEqual(got["result"]["status"], msg["result"]["status"])
                                elif msg["result"] is None:
                                    self.assertIsNone(got["result"])
                        p.close_stdin()
                        self.assertIsNotNone(p.wait(EXIT_WAIT))
                    finally:
                        p.kill()
        self.assertGreater(replayed, 0, "no transcript is marked for replay")


class CommonPluginBehaviour:
    """Behaviour every plugin must show; mixed into one TestCase per example plugin."""
    argv = None
    default_command = None
    versions = None  # what the plugin speaks, newest first: it answers the newest the host also offers

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="contsec-proto-")
        self.plugins = []

    def tearDown(self):
        for p in self.plugins:
            p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, argv=None):
        p = PluginProcess(argv or self.argv, STORE, cwd=self.tmp, env={"CONTSEC_WORKSPACE": self.tmp})
        self.plugins.append(p)
        return p

    def run_args(self):
        return {}

    def test_full_session(self):
        p = self.start()
        result = p.handshake(self.tmp)
        self.assertEqual(result["protocolVersion"], self.versions[0])
        defaults = [c["name"] for c in result["commands"] if c.get("default")]
        self.assertEqual(defaults, [self.default_command])
        resp, notes = p.call("run", {"command": self.default_command, "args": self.run_args()}, timeout=20)
        self.assertEqual(resp["result"]["status"], "ok", resp)
        self.check_run(resp, notes)
        resp, notes = p.call("shutdown")
        self.assertEqual((resp["result"], notes), (None, []))
        p.notify("exit")
        self.assertEqual(p.wait(EXIT_WAIT), 0, "plugin did not exit 0 on exit")
        self.assertIsNone(p.recv(1), "plugin sent something after the shutdown answer")

    def check_run(self, resp, notes):
        pass

    def test_request_before_initialize_is_refused(self):
        p = self.start()
        p.notify("initialized", {})  # a notification before initialize is ignored: no answer
        resp, notes = p.call("run", {"command": self.default_command, "args": {}})
        self.assertEqual(resp["error"]["code"], -32002)
        resp, _ = p.call("shutdown")
        self.assertEqual(resp["error"]["code"], -32002)
        self.assertIn("result", p.call("initialize", initialize_params(self.tmp))[0])

    def test_run_without_the_initialized_notification(self):
        # PROTOCOL.md section 5: initialized is a courtesy; a plugin must not wait for it before accepting run.
        p = self.start()
        self.assertIn("result", p.call("initialize", initialize_params(self.tmp))[0])
        resp, _ = p.call("run", {"command": self.default_command, "args": self.run_args()}, timeout=20)
        self.assertEqual(resp["result"]["status"], "ok", resp)

    def test_unknown_method(self):
        p = self.start()
        p.handshake(self.tmp)
        resp, _ = p.call("frobnicate", {})
        self.assertEqual(resp["error"]["code"], -32601)

    def test_version_mismatch_lists_supported_versions(self):
        p = self.start()
        resp, _ = p.call("initialize", initialize_params(self.tmp, versions=["2.0", "3.1"]))
        self.assertEqual(resp["error"]["code"], -32010)
        self.assertEqual(resp["error"]["data"], {"supported": self.versions})
        self.assertIn("2.0", resp["error"]["message"])
        resp, _ = p.call("run", {"command": self.default_command, "args": {}})
        self.assertEqual(resp["error"]["code"], -32002, "a failed initialize must leave the plugin uninitialized")

    def test_second_initialize_is_invalid_state(self):
        p = self.start()
        p.handshake(self.tmp)
        resp, _ = p.call("initialize", initialize_params(self.tmp))
        self.assertEqual(resp["error"]["code"], -32014)

    def test_crlf_and_blank_lines_are_tolerated(self):
        p = self.start()
        msg = {"jsonrpc": "2.0", "id": "crlf", "method": "initialize", "params": initialize_params(self.tmp)}
        p.methods['"crlf"'] = "initialize"
        p.send_raw(b"\n\r\n" + json.dumps(msg).encode() + b"\r\n")
        resp, _ = p.response("crlf")
        self.assertEqual(resp["result"]["protocolVersion"], self.versions[0])

    def test_non_json_line_is_a_parse_error_with_null_id(self):
        p = self.start()
        p.send_raw(b"this is not json\n")
        msg = p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (None, -32700))
        self.assertIn("result", p.call("initialize", initialize_params(self.tmp))[0])

    def test_exits_on_stdin_eof(self):
        for handshake in (False, True):
            p = self.start()
            if handshake:
                p.handshake(self.tmp)
            started = time.monotonic()
            p.close_stdin()
            self.assertIsNotNone(p.wait(EXIT_WAIT), "still running %.1f s after stdin EOF" % EXIT_WAIT)
            self.assertLess(time.monotonic() - started, EXIT_WAIT)

    def test_exits_promptly_on_sigterm(self):
        p = self.start()
        p.handshake(self.tmp)
        os.killpg(p.proc.pid, signal.SIGTERM)
        self.assertIsNotNone(p.wait(EXIT_WAIT), "still running %.1f s after SIGTERM" % EXIT_WAIT)

    def test_nothing_after_shutdown_but_exit(self):
        p = self.start()
        p.handshake(self.tmp)
        self.assertIsNone(p.call("shutdown")[0]["result"])
        p.request("run", {"command": self.default_command, "args": {}})
        p.notify("exit")
        self.assertEqual(p.wait(EXIT_WAIT), 0)
        self.assertIsNone(p.recv(1), "plugin answered a request after shutdown")


class ShHelloTests(CommonPluginBehaviour, unittest.TestCase):
    argv = ["dash", SH_HELLO]
    default_command = "hello"
    versions = ["1.0"]  # a 1.0 plugin: the host, speaking 1.1, still drives it

    def setUp(self):
        if shutil.which("dash") is None:
            self.skipTest("dash is not installed: apt-get install dash")
        super().setUp()

    def test_script_is_posix_and_executable(self):
        self.assertTrue(os.access(SH_HELLO, os.X_OK))
        with open(SH_HELLO) as f:
            self.assertEqual(f.readline().strip(), "#!/bin/sh")
        import subprocess
        self.assertEqual(subprocess.run(["dash", "-n", SH_HELLO]).returncode, 0)
        if shutil.which("shellcheck"):
            check = subprocess.run(["shellcheck", "-s", "sh", SH_HELLO], stdout=subprocess.PIPE)
            self.assertEqual(check.returncode, 0, check.stdout.decode())

    def run_args(self):
        return {"file": os.path.join(self.tmp, "does-not-exist.txt")}

    def check_run(self, resp, notes):
        findings = [n["params"] for n in notes if n["method"] == "finding"]
        self.assertEqual([f["ruleId"] for f in findings], ["SH-000"], "a file that does not exist is not world-writable")
        self.assertEqual(findings[0]["target"]["name"], os.uname().nodename)
        self.assertTrue(any(n["method"] == "progress" for n in notes))

    def test_world_writable_file_is_reported(self):
        p = self.start([SH_HELLO])  # through the shebang this time
        p.handshake(self.tmp)
        ww = os.path.join(self.tmp, "ww.txt")
        with open(ww, "w") as f:
            f.write("x")
        os.chmod(ww, 0o666)
        resp, notes = p.call("run", {"command": "hello", "args": {"file": ww}})
        findings = {n["params"]["ruleId"]: n["params"] for n in notes if n["method"] == "finding"}
        self.assertEqual(sorted(findings), ["SH-000", "SH-001"])
        self.assertEqual(findings["SH-001"]["target"], {"kind": "file", "name": ww, "file": ww})
        self.assertEqual(resp["result"]["summary"]["findings"], 2)
        os.chmod(ww, 0o644)
        resp, notes = p.call("run", {"command": "hello", "args": {"file": ww}})
        self.assertEqual([n["params"]["ruleId"] for n in notes if n["method"] == "finding"], ["SH-000"])

    def test_text_from_the_request_is_json_escaped_in_answers(self):
        p = self.start()
        p.handshake(self.tmp)
        resp, _ = p.call("odd\\name\twith\\\"quote", {})  # recv() fails on any invalid JSON
        self.assertEqual(resp["error"]["code"], -32601)
        self.assertTrue(resp["error"]["message"].startswith("method not found: odd"), resp)

    def test_invalid_params(self):
        p = self.start()
        p.handshake(self.tmp)
        for params, param in [({"command": "nope", "args": {}}, "command"),
                              ({"command": "hello", "args": {"depth": "3"}}, "depth"),
                              ({"command": "hello", "args": {"file": "/etc/passwd", "depth": 3}}, "depth"),
                              ({"command": "hello", "args": {"file": 5}}, "file"),
                              ({"command": "hello", "args": {"file": "/tmp/a\"b"}}, "file")]:
            resp, _ = p.response(p.request("run", params, checked=False))
            self.assertEqual((resp["error"]["code"], resp["error"].get("data")), (-32602, {"param": param}), params)
        resp, notes = p.call("run", {"command": "hello", "args": {"file": "/etc/passwd"}})
        self.assertEqual(resp["result"]["status"], "ok")


class FilePermsTests(CommonPluginBehaviour, unittest.TestCase):
    argv = [FILE_PERMS]
    default_command = "scan"
    versions = ["1.1", "1.0"]
    KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n"

    def make_tree(self):
        t = os.path.join(self.tmp, "tree")
        os.makedirs(os.path.join(t, ".git"))
        os.makedirs(os.path.join(t, "sub"))
        def put(rel, mode, text="x"):
            path = os.path.join(t, rel)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)
        put("world.txt", 0o666)
        put("ok.txt", 0o644)
        put(".git/ignored", 0o666)
        put("sub/setuid-bin", 0o4755)
        put("sub/id_exposed", 0o640, self.KEY)
        put("sub/id_private", 0o600, self.KEY)
        # Source code that mentions the PEM marker is not a key (the example plugin itself is such a file).
        put("sub/mentions.py", 0o644, 'MARKER = b"-----BEGIN PRIVATE KEY-----"\n' + "A" * 64 + "\n")
        return t

    def run_args(self):
        return {"dir": self.make_tree()}

    def check_run(self, resp, notes):
        findings = sorted((n["params"]["ruleId"], n["params"]["target"]["name"], n["params"]["severity"],
                           n["params"]["category"]) for n in notes if n["method"] == "finding")
        self.assertEqual(findings, [("FP-001", "world.txt", "high", "misconfiguration"),
                                    ("FP-002", "sub/setuid-bin", "medium", "misconfiguration"),
                                    ("FP-003", "sub/id_exposed", "critical", "secret")])
        self.assertEqual(resp["result"]["summary"]["files"], 6)
        for n in notes:
            self.assertNotIn("SECRETKEYMATERIAL", json.dumps(n), "key material leaked into a finding")
        for n in notes:
            if n["method"] == "finding":
                self.assertTrue(n["params"]["remediation"].startswith("chmod "))

    def test_progress_every_n_files(self):
        t = os.path.join(self.tmp, "many")
        os.makedirs(t)
        for i in range(1100):
            open(os.path.join(t, "f%04d" % i), "w").close()
        p = self.start()
        p.handshake(self.tmp)
        resp, notes = p.call("run", {"command": "scan", "args": {"dir": t}}, timeout=20)
        currents = [n["params"].get("current") for n in notes if n["method"] == "progress"]
        self.assertEqual(currents, [500, 1000, 1100])
        self.assertEqual(resp["result"]["summary"], {"files": 1100, "findings": 0})

    def test_fix_dry_run_plans_and_real_run_applies(self):
        t = self.make_tree()
        world = os.path.join(t, "world.txt")
        exposed = os.path.join(t, "sub", "id_exposed")
        p = self.start()
        p.handshake(self.tmp, dry_run=True)
        resp, notes = p.call("run", {"command": "fix", "args": {"dir": t}})
        actions = sorted((n["params"]["target"], n["params"]["status"]) for n in notes if n["method"] == "action")
        self.assertEqual(actions, [(exposed, "planned"), (world, "planned")])
        self.assertEqual(stat.S_IMODE(os.stat(world).st_mode), 0o666, "dry run changed a file")
        p.close_stdin()
        p.wait(EXIT_WAIT)
        p = self.start()
        p.handshake(self.tmp)
        resp, notes = p.call("run", {"command": "fix", "args": {"dir": t}})
        actions = sorted((n["params"]["target"], n["params"]["status"], n["params"]["kind"])
                         for n in notes if n["method"] == "action")
        self.assertEqual(actions, [(exposed, "applied", "file-mode-changed"), (world, "applied", "file-mode-changed")])
        self.assertEqual(stat.S_IMODE(os.stat(world).st_mode), 0o664)
        self.assertEqual(stat.S_IMODE(os.stat(exposed).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(t, "sub", "setuid-bin")).st_mode), 0o4755)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(t, ".git", "ignored")).st_mode), 0o666)

    def test_fix_refuses_a_directory_outside_the_workspace(self):
        outside = tempfile.mkdtemp(prefix="contsec-outside-")
        self.addCleanup(shutil.rmtree, outside, True)
        victim = os.path.join(outside, "w")
        open(victim, "w").close()
        os.chmod(victim, 0o666)
        p = self.start()
        p.handshake(self.tmp)
        resp, notes = p.call("run", {"command": "fix", "args": {"dir": outside}})
        self.assertEqual(resp["error"]["code"], -32012)
        self.assertEqual(stat.S_IMODE(os.stat(victim).st_mode), 0o666)

    def test_missing_directory_is_a_precondition_failure(self):
        p = self.start()
        p.handshake(self.tmp)
        resp, _ = p.call("run", {"command": "scan", "args": {"dir": os.path.join(self.tmp, "nope")}})
        self.assertEqual(resp["error"]["code"], -32012)
        self.assertIn("nope", resp["error"]["message"])

    def test_invalid_params(self):
        p = self.start()
        p.handshake(self.tmp)
        for params, param in [({"command": "scan", "args": {"dir": 5}}, "dir"),
                              ({"command": "scan", "args": {"depth": 1}}, "depth"),
                              ({"command": "nuke", "args": {}}, "command")]:
            resp, _ = p.response(p.request("run", params, checked=False))
            self.assertEqual((resp["error"]["code"], resp["error"]["data"]), (-32602, {"param": param}), params)

    def test_relative_path_is_made_absolute(self):
        os.makedirs(os.path.join(self.tmp, "rel"))
        open(os.path.join(self.tmp, "rel", "w"), "w").close()
        os.chmod(os.path.join(self.tmp, "rel", "w"), 0o666)
        p = self.start()
        p.handshake(self.tmp)
        resp, notes = p.call("run", {"command": "scan", "args": {"dir": "rel"}})
        files = [n["params"]["target"]["file"] for n in notes if n["method"] == "finding"]
        self.assertEqual(files, [os.path.join(self.tmp, "rel", "w")])


class PythonSdkTests(unittest.TestCase):
    """SDK behaviour through a test-only plugin (tests/fixtures/contsec-sdk-fixture)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="contsec-sdk-")
        self.p = PluginProcess([FIXTURE], STORE, cwd=self.tmp)
        self.p.handshake_result = self.p.handshake(self.tmp)

    def tearDown(self):
        self.p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_cancel_answers_minus_32800_and_keeps_earlier_findings(self):
        run = self.p.request("run", {"command": "wait", "args": {}})
        first = self.p.recv()
        self.assertEqual((first["method"], first["params"]["ruleId"]), ("finding", "FX-1"))
        self.p.notify("cancel", {"id": run})
        started = time.monotonic()
        resp, _ = self.p.response(run, timeout=2)
        self.assertEqual(resp["error"], {"code": -32800, "message": "cancelled"})
        self.assertLess(time.monotonic() - started, 1.0)
        # the process is still usable after a cancelled run
        resp, _ = self.p.call("run", {"command": "echo", "args": {"name": "n"}})
        self.assertEqual(resp["result"]["status"], "ok")

    def test_cancel_is_answered_even_if_the_handler_ignores_it(self):
        run = self.p.request("run", {"command": "ignore-cancel", "args": {}})
        self.assertEqual(self.p.recv()["method"], "progress")
        self.p.notify("cancel", {"id": run})
        resp, _ = self.p.response(run, timeout=2)
        self.assertEqual(resp["error"]["code"], -32800)

    def test_cancel_of_an_unknown_id_is_ignored(self):
        self.p.notify("cancel", {"id": 999})
        self.p.notify("cancel", {"id": "1"})  # the initialize id, but a string: a different id
        resp, _ = self.p.call("run", {"command": "echo", "args": {"name": "n"}})
        self.assertEqual(resp["result"]["status"], "ok")

    def test_second_run_while_one_is_in_flight(self):
        run = self.p.request("run", {"command": "wait", "args": {}})
        self.p.recv()
        resp, _ = self.p.call("run", {"command": "echo", "args": {"name": "n"}})
        self.assertEqual(resp["error"]["code"], -32014)
        self.p.notify("cancel", {"id": run})
        self.assertEqual(self.p.response(run)[0]["error"]["code"], -32800)

    def test_shutdown_during_a_run_cancels_it_first(self):
        run = self.p.request("run", {"command": "wait", "args": {}})
        self.p.recv()
        shutdown = self.p.request("shutdown")
        self.assertEqual(self.p.response(run)[0]["error"]["code"], -32800)
        self.assertIsNone(self.p.response(shutdown)[0]["result"])

    def test_shutdown_answers_for_a_handler_that_ignores_cancel(self):
        run = self.p.request("run", {"command": "stubborn", "args": {}})
        self.assertEqual(self.p.recv()["method"], "progress")
        started = time.monotonic()
        shutdown = self.p.request("shutdown")
        resp, _ = self.p.response(run, timeout=3)
        self.assertEqual(resp["error"]["code"], -32800)
        resp, notes = self.p.response(shutdown, timeout=1)
        self.assertEqual((resp["result"], notes), (None, []), "a notification followed the run's answer")
        self.assertLess(time.monotonic() - started, 2.0, "shutdown must be answered within the host's 2 s step")
        self.assertTrue(self.p.silent_for(0.5), "the plugin sent something after the shutdown answer")
        self.p.notify("exit")
        self.assertEqual(self.p.wait(EXIT_WAIT), 0)

    def test_stdin_eof_during_a_run_answers_cancelled_and_exits(self):
        run = self.p.request("run", {"command": "wait", "args": {}})
        self.p.recv()
        started = time.monotonic()
        self.p.close_stdin()
        resp, _ = self.p.response(run, timeout=2)
        self.assertEqual(resp["error"]["code"], -32800)
        self.assertIsNotNone(self.p.wait(EXIT_WAIT))
        self.assertLess(time.monotonic() - started, EXIT_WAIT)

    def test_table_result_under_1_1(self):
        resp, _ = self.p.call("run", {"command": "table", "args": {}})
        r = resp["result"]
        self.assertEqual((r["status"], r["message"], r["summary"]), ("gate-tripped", "listed 2 volumes, 1 unencrypted", {"volumes": 2}))
        self.assertEqual(r["table"], {"title": "volumes",
                                      "columns": [{"key": "name", "title": "NAME"}, {"key": "size", "title": "SIZE (MiB)"},
                                                  {"key": "encrypted", "title": "ENCRYPTED"}],
                                      "rows": [{"name": "db", "size": 512, "encrypted": True},
                                               {"name": "cache", "encrypted": False}]})

    def test_table_result_travels_in_the_summary_under_1_0(self):
        old = PluginProcess([FIXTURE], STORE, cwd=self.tmp)
        try:
            self.assertEqual(old.handshake(self.tmp, versions=["1.0"])["protocolVersion"], "1.0")
            resp, _ = old.call("run", {"command": "table", "args": {}})
            self.assertNotIn("table", resp["result"])
            self.assertEqual(resp["result"]["summary"]["table"]["rows"][1], {"name": "cache", "encrypted": False})
        finally:
            old.kill()

    def test_long_running_command_is_declared_and_answers_its_outcome_when_stopped(self):
        specs = {c["name"]: c for c in self.p.handshake_result["commands"]}
        self.assertIs(specs["serve"].get("longRunning"), True)
        self.assertNotIn("longRunning", specs["echo"], "only true goes on the wire")
        run = self.p.request("run", {"command": "serve", "args": {}})
        self.assertEqual(self.p.recv()["method"], "progress")
        self.p.notify("cancel", {"id": run})
        resp, _ = self.p.response(run, timeout=2)
        self.assertEqual(resp["result"]["status"], "ok")
        self.assertGreaterEqual(resp["result"]["summary"]["ticks"], 1)

    def test_long_running_is_left_out_and_cancel_answers_minus_32800_under_1_0(self):
        old = PluginProcess([FIXTURE], STORE, cwd=self.tmp)
        try:
            result = old.handshake(self.tmp, versions=["1.0"])
            self.assertFalse(any("longRunning" in c for c in result["commands"]))
            run = old.request("run", {"command": "serve", "args": {}})
            old.recv()
            old.notify("cancel", {"id": run})
            self.assertEqual(old.response(run, timeout=2)[0]["error"]["code"], -32800)
        finally:
            old.kill()

    def test_table_rules_are_checked_when_built(self):
        sys.path.insert(0, os.path.join(ROOT, "python"))
        from contsec_plugin import Table
        for columns, rows, why in [([], [], "1 to 32 columns"), ([("a", "A"), ("a", "B")], [], "declared twice"),
                                   ([("1a", "A")], [], "must match"), ([("a", "A")], [{"b": 1}], "not a declared column"),
                                   ([("a", "A")], [{"a": [1]}], "string, number, bool or None")]:
            with self.assertRaises(ValueError) as e:
                Table(columns, rows)
            self.assertIn(why, str(e.exception))
        for kwargs, why in [({"group": "b"}, "not a declared column"), ({"footer": ""}, "non-empty string"),
                            ({"footer": "x" * 4097}, "4096")]:
            with self.assertRaises(ValueError) as e:
                Table([("a", "A")], [{"a": 1}], **kwargs)
            self.assertIn(why, str(e.exception))
        t = Table([("s", "SECTION"), ("a", "A")], [{"s": "1", "a": 1}], group="s", footer="Score: 1")
        self.assertEqual((t.to_json()["group"], t.to_json()["footer"]), ("s", "Score: 1"))

    def test_fractional_id_is_not_an_integer_id(self):
        # PROTOCOL.md section 4: 2.0 is not an integer id; it is answered -32600 with "id": null.
        self.p.send_raw(b'{"jsonrpc":"2.0","id":2.0,"method":"shutdown"}\n')
        msg = self.p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (None, -32600))

    def test_object_with_neither_id_nor_method_is_invalid(self):
        self.p.send_raw(b'{"jsonrpc":"2.0","params":{}}\n')
        msg = self.p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (None, -32600))

    def test_oversized_frame_before_initialize_goes_to_stderr_only(self):
        fresh = PluginProcess([FIXTURE], STORE, cwd=self.tmp)
        try:
            fresh.send_raw(b'{"x":"' + b"a" * (16 * 1024 * 1024 + 10) + b'"}\n')
            self.assertTrue(fresh.silent_for(1.0), "a notification before initialize")
            self.assertIn("result", fresh.call("initialize", initialize_params(self.tmp))[0])
        finally:
            fresh.kill()

    def test_responses_from_the_host_are_ignored(self):
        self.p.send_raw(b'{"jsonrpc":"2.0","id":1,"result":{}}\n')
        resp, notes = self.p.call("run", {"command": "echo", "args": {"name": "n"}})
        self.assertEqual((resp["result"]["status"], notes), ("ok", []))

    def test_stray_prints_do_not_corrupt_stdout(self):
        resp, notes = self.p.call("run", {"command": "noisy", "args": {}})  # recv fails on any non-JSON line
        self.assertEqual(resp["result"]["status"], "ok")
        self.assertEqual([n["params"]["ruleId"] for n in notes], ["FX-2"])
        self.p.call("shutdown")
        self.p.notify("exit")
        self.assertEqual(self.p.wait(EXIT_WAIT), 0)
        self.assertIsNone(self.p.recv(1))
        err = self.p.stderr.decode()
        for text in ("stray print from a handler", "stray sys.stdout.write", "stray output of a child process"):
            self.assertIn(text, err)

    def test_args_are_validated_defaulted_and_typed(self):
        resp, _ = self.p.call("run", {"command": "echo", "args": {"name": "n", "tags": ["b", "c"], "where": "sub"}})
        s = resp["result"]["summary"]
        self.assertEqual(s["args"], {"name": "n", "count": 3, "force": False, "tags": ["b", "c"], "mode": "fast",
                                     "where": os.path.join(self.tmp, "sub")})
        self.assertEqual((s["workspace"], s["dryRun"]), (self.tmp, False))
        # JSON 7.0 is the integer 7; null means "use the default" (as the Swift kit treats them)
        resp, _ = self.p.call("run", {"command": "echo", "args": {"name": "n", "count": 7.0}})
        self.assertEqual(resp["result"]["summary"]["args"]["count"], 7)
        resp, _ = self.p.response(self.p.request("run", {"command": "echo", "args": {"name": "n", "count": None}},
                                                 checked=False))
        self.assertEqual(resp["result"]["summary"]["args"]["count"], 3)
        bad = [({"count": 1}, "name"), ({"name": 1}, "name"), ({"name": "n", "count": True}, "count"),
               ({"name": "n", "count": "3"}, "count"), ({"name": "n", "force": "yes"}, "force"),
               ({"name": "n", "tags": "a"}, "tags"), ({"name": "n", "tags": ["z"]}, "tags"),
               ({"name": "n", "mode": "medium"}, "mode"), ({"name": "n", "extra": 1}, "extra"),
               ({"name": "n", "count": 2.5}, "count"), ({"name": None}, "name")]
        for args, param in bad:
            resp, _ = self.p.response(self.p.request("run", {"command": "echo", "args": args}, checked=False))
            self.assertEqual((resp["error"]["code"], resp["error"]["data"]), (-32602, {"param": param}), args)

    def test_handler_errors_map_to_codes(self):
        cases = {"tool": (-32011, {"tool": "trivy", "install": "apt-get install trivy"}),
                 "precondition": (-32012, None), "failed": (-32015, None), "bug": (-32015, None)}
        for kind, (code, data) in cases.items():
            resp, _ = self.p.call("run", {"command": "fail", "args": {"kind": kind}})
            self.assertEqual((resp["error"]["code"], resp["error"].get("data")), (code, data), kind)
        resp, _ = self.p.call("run", {"command": "fail", "args": {"kind": "bug"}})
        self.assertIn("ZeroDivisionError", resp["error"]["message"])
        resp, _ = self.p.call("run", {"command": "fail", "args": {"kind": "gate"}})
        self.assertEqual(resp["result"], {"status": "gate-tripped", "message": "2 critical findings (--block-critical)",
                                          "summary": {"critical": 2}})

    def test_invalid_requests(self):
        self.p.send_raw(b'[{"jsonrpc":"2.0","id":1,"method":"run"}]\n')
        msg = self.p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (None, -32600))
        self.p.send_raw(b'{"jsonrpc":"2.0","id":null,"method":"run"}\n')
        msg = self.p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (None, -32600))
        self.p.send_raw(b'{"jsonrpc":"2.0","id":7,"method":"initialized"}\n')
        self.p.methods["7"] = "initialized"
        msg = self.p.recv()
        self.assertEqual((msg["id"], msg["error"]["code"]), (7, -32601))


class SdkCapTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="contsec-cap-")
        self.p = PluginProcess([FIXTURE], STORE, cwd=self.tmp)

    def tearDown(self):
        self.p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_oversized_frame_is_discarded_with_a_log_and_the_session_goes_on(self):
        self.p.handshake(self.tmp, max_bytes=1048576)
        self.p.send_raw(b'{"jsonrpc":"2.0","id":9,"method":"run","params":{"pad":"' + b"x" * 2_000_000 + b'"}}\n')
        log = self.p.recv()
        self.assertEqual((log["method"], log["params"]["level"]), ("log", "error"))
        self.assertIn("exceeds the 1048576-byte cap", log["params"]["message"])
        resp, _ = self.p.call("run", {"command": "big", "args": {}})
        self.assertIn("exceeds the 1048576-byte cap", resp["result"]["summary"]["refused"])


class ProtocolDocTests(unittest.TestCase):
    """The examples inside PROTOCOL.md must be true."""

    def setUp(self):
        with open(os.path.join(ROOT, "PROTOCOL.md"), encoding="utf-8") as f:
            self.text = f.read()

    def test_fingerprint_examples(self):
        examples = re.findall(r"^(\S+\|\S*\|\S*\|\S*\|\S*)\s+→ ([0-9a-f]{64})$", self.text, re.M)
        self.assertGreaterEqual(len(examples), 2)
        for key, digest in examples:
            self.assertEqual(hashlib.sha256(key.encode()).hexdigest(), digest, key)

    def test_five_minute_python_plugin_runs(self):
        code = re.search(r"## 17\..*?```python\n(.*?)```", self.text, re.S).group(1)
        tmp = tempfile.mkdtemp(prefix="contsec-doc-")
        self.addCleanup(shutil.rmtree, tmp, True)
        exe = os.path.join(tmp, "contsec-hello")
        with open(exe, "w") as f:
            f.write(code)
        os.chmod(exe, 0o755)
        p = PluginProcess([exe], STORE, cwd=tmp, env={"PYTHONPATH": os.path.join(ROOT, "python")})
        try:
            result = p.handshake(tmp)
            self.assertEqual(result["plugin"]["name"], "hello")
            resp, notes = p.call("run", {"command": "greet", "args": {"who": "you"}})
            self.assertEqual(resp["result"], {"status": "ok", "summary": {"greeted": 1}})
            self.assertEqual([n["method"] for n in notes], ["progress"] * 3 + ["finding"])
            self.assertEqual(notes[-1]["params"]["title"], "Hello you")
            resp, _ = p.call("run", {"command": "greet", "args": {"who": " "}})
            self.assertEqual(resp["error"]["code"], -32012)
        finally:
            p.kill()

    def test_every_error_code_is_in_the_table_and_the_schema(self):
        codes = set(STORE.docs[STORE.uri("error.schema.json")]["properties"]["code"]["enum"])
        table = {int(c) for c in re.findall(r"^\| (-32\d{3}) \|", self.text, re.M)}
        self.assertEqual(codes, table)


class ManifestTests(unittest.TestCase):
    def test_example_manifests_validate_and_hash_matches(self):
        found = 0
        for folder in ("python-file-perms", "sh-hello"):
            path = os.path.join(ROOT, "examples", folder, "plugin.json")
            with open(path) as f:
                manifest = json.load(f)
            self.assertEqual(STORE.errors(manifest, "plugin-manifest.schema.json"), [], path)
            exe = os.path.join(os.path.dirname(path), manifest["executable"])
            with open(exe, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), manifest["sha256"],
                                 "%s: sha256 is stale; update it after editing the executable" % path)
            self.assertTrue(os.access(exe, os.X_OK))
            found += 1
        self.assertEqual(found, 2)


if __name__ == "__main__":
    unittest.main()


class MustShouldMapTests(unittest.TestCase):
    """Every MUST/SHOULD sentence of PROTOCOL.md has one row in CONFORMANCE-MAP.md, and every test named exists."""

    @staticmethod
    def normative_sentences():
        text = open(os.path.join(ROOT, "PROTOCOL.md"), encoding="utf-8").read()
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        out = []
        for block in re.split(r"\n\s*\n|\n(?=\s*[-|]|\s*\d+\. )", text):
            block = " ".join(line.strip() for line in block.splitlines())
            for s in re.split(r"(?<=[.;:])\s+(?=[A-Z`(])", block):
                if re.search(r"\b(MUST|SHOULD)\b", s) and "RFC 2119" not in s:
                    out.append(s.strip())
        return out

    @staticmethod
    def rows():
        rows = []
        for line in open(os.path.join(ROOT, "CONFORMANCE-MAP.md"), encoding="utf-8"):
            m = re.match(r"^\| (.+?) \| (.+) \|$", line.rstrip("\n"))
            if m and m.group(1) not in ("key (a phrase of the sentence)", "---"):
                rows.append((m.group(1), m.group(2)))
        return rows

    def test_every_normative_sentence_has_exactly_one_row(self):
        sentences, rows = self.normative_sentences(), self.rows()
        self.assertGreater(len(sentences), 30)
        for s in sentences:
            hits = [k for k, _ in rows if k in s]
            self.assertEqual(len(hits), 1, "PROTOCOL.md sentence needs exactly one row in CONFORMANCE-MAP.md "
                                           "(found %r): %s" % (hits, s))
        for k, _ in rows:
            self.assertTrue(any(k in s for s in sentences), "row %r matches no MUST/SHOULD sentence any more" % k)

    def test_every_referenced_test_exists(self):
        repo = os.path.dirname(ROOT)
        swift = ""
        for folder, _, files in os.walk(os.path.join(repo, "Tests")):
            for f in files:
                if f.endswith(".swift"):
                    swift += open(os.path.join(folder, f), encoding="utf-8").read()
        kit = open(os.path.join(repo, "Sources", "ContsecHost", "Conformance", "ConformanceKit.swift"), encoding="utf-8").read()
        broken = open(os.path.join(repo, "Tests", "ContsecHostTests", "ConformanceTests.swift"), encoding="utf-8").read()
        module = sys.modules[__name__]
        for key, refs in self.rows():
            if refs.startswith("untestable:"):
                named = re.findall(r"\((py|swift):([\w.]+)\)", refs)
            else:
                named = [tuple(r.split(":", 1)) for r in (x.strip() for x in refs.split(";"))]
            for kind, name in named:
                if kind == "py":
                    cls, meth = name.split(".")
                    self.assertTrue(hasattr(getattr(module, cls, None), meth), "%s: no Python test %s" % (key, name))
                elif kind == "swift":
                    suite, func = name.split(".")
                    self.assertRegex(swift, r"struct %s\b" % suite, "%s: no Swift suite %s" % (key, suite))
                    self.assertRegex(swift, r"func %s\(" % func, "%s: no Swift test %s" % (key, name))
                elif kind == "kit":
                    self.assertIn('("%s",' % name, kit, "%s: no conformance check %s" % (key, name))
                    self.assertIn('"%s"' % name, broken, "%s: no broken fixture for check %s" % (key, name))
                else:
                    self.fail("%s: unknown reference %s:%s" % (key, kind, name))
