"""Drive a plugin executable as the host would: pipes, its own process group, every frame schema-checked."""
import json
import os
import queue
import signal
import subprocess
import threading
import time

HOST_VERSIONS = ["1.1", "1.0"]


def initialize_params(workspace, versions=None, dry_run=False, max_bytes=16777216):
    return {"protocolVersions": versions or HOST_VERSIONS,
            "host": {"name": "contsec", "version": "0.1.0", "pid": os.getpid()},
            "workspace": workspace, "dryRun": dry_run, "verbose": False,
            "limits": {"maxMessageBytes": max_bytes}}


class ProtocolViolation(AssertionError):
    pass


class PluginProcess:
    """A running plugin. ``recv`` fails the test on stdout pollution or a frame that breaks the schemas."""

    def __init__(self, argv, store, cwd=None, env=None):
        self.store = store
        self.methods = {}  # request id -> method, to pick the response schema
        self.next_id = 1
        self.frames = queue.Queue()
        self.stderr = bytearray()
        full_env = dict(os.environ)
        full_env.update({"CONTSEC_PROTOCOL": "1.0", "CONTSEC_DRY_RUN": "0"})
        full_env.update(env or {})
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=cwd, env=full_env, start_new_session=True)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for raw in self.proc.stdout:
            self.frames.put(raw)
        self.frames.put(None)

    def _read_stderr(self):
        for raw in self.proc.stderr:
            self.stderr += raw

    # -- sending -----------------------------------------------------------------------------------------
    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        errors = self.store.errors(msg, "host-to-plugin.schema.json")
        if errors and msg.get("method") in ("initialize", "initialized", "run", "cancel", "shutdown", "exit"):
            # Deliberately malformed host messages are sent with send_unchecked; this one is a test bug.
            raise AssertionError("test sends an invalid host message: %s" % errors)
        self.send_unchecked(msg)

    def send_unchecked(self, msg):
        if "id" in msg and "method" in msg:
            self.methods[json.dumps(msg["id"])] = msg["method"]
        self.send_raw(json.dumps(msg).encode() + b"\n")

    def request(self, method, params=None, checked=True):
        id_ = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            msg["params"] = params
        (self.send if checked else self.send_unchecked)(msg)
        return id_

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    # -- receiving ---------------------------------------------------------------------------------------
    def recv(self, timeout=5.0):
        """The next frame, parsed and validated; None at EOF."""
        try:
            raw = self.frames.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no frame from the plugin within %.1f s; stderr: %s"
                                 % (timeout, self.stderr.decode(errors="replace")[-2000:]))
        if raw is None:
            return None
        if not raw.endswith(b"\n"):
            raise ProtocolViolation("frame not terminated by LF: %r" % raw[:200])
        try:
            msg = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise ProtocolViolation("stdout pollution: %r" % raw[:200])
        if b"\n" in raw[:-1]:
            raise ProtocolViolation("raw LF inside a frame")
        self.check(msg)
        return msg

    def silent_for(self, seconds):
        """True if the plugin sends no frame for ``seconds`` (EOF counts as silence)."""
        try:
            raw = self.frames.get(timeout=seconds)
        except queue.Empty:
            return True
        if raw is None:
            self.frames.put(None)
            return True
        return False

    def check(self, msg):
        errors = self.store.errors(msg, "plugin-to-host.schema.json")
        if not errors and "result" in msg:
            method = self.methods.get(json.dumps(msg["id"]))
            if method is None:
                errors = ["response to an id the host never sent: %r" % (msg["id"],)]
            else:
                errors = self.store.errors(msg, "%s.response.schema.json" % method)
        if errors:
            raise ProtocolViolation("invalid frame %s: %s" % (json.dumps(msg)[:300], errors))

    def response(self, id_, timeout=5.0):
        """Wait for the response to ``id_``; returns (response, notifications received before it)."""
        notes = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.recv(max(0.05, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError("plugin closed stdout before answering %r; stderr: %s"
                                     % (id_, self.stderr.decode(errors="replace")[-2000:]))
            if "method" in msg:
                notes.append(msg)
            elif msg.get("id") == id_ and type(msg.get("id")) is type(id_):
                return msg, notes
            else:
                raise AssertionError("unexpected response while waiting for %r: %s" % (id_, msg))

    def call(self, method, params=None, timeout=5.0):
        return self.response(self.request(method, params), timeout)

    def handshake(self, workspace, **kw):
        resp, notes = self.call("initialize", initialize_params(workspace, **kw))
        assert "result" in resp, resp
        self.notify("initialized", {})
        return resp["result"]

    # -- ending ------------------------------------------------------------------------------------------
    def close_stdin(self):
        self.proc.stdin.close()

    def wait(self, timeout):
        """Exit code, or None if still running after ``timeout`` seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
