"""contsec_plugin: a single-file, stdlib-only SDK for contsec plugins (protocol 1.1, and 1.0 hosts).

Copy this file next to your plugin (or put its folder on sys.path) and write::

    from contsec_plugin import Plugin, Param

    plugin = Plugin(name="hello", version="0.1.0", vendor="Acme", description="Says hello")

    @plugin.command("greet", description="Greet someone", default=True,
                    params=[Param("who", "string", default="world", description="Whom to greet")])
    def greet(ctx):
        ctx.emit_finding(rule_id="HELLO-001", title="Hello " + ctx.args["who"], severity="info",
                         category="compliance", target={"kind": "host", "name": "localhost"})
        return {"greeted": 1}            # the run's summary

    if __name__ == "__main__":
        plugin.main()

The SDK speaks the protocol described in sdk-protocol/PROTOCOL.md: it answers initialize (version
negotiation), validates run arguments against the declared params, runs the handler in a worker thread,
streams what the handler emits, turns exceptions into protocol errors and exits on `exit`, stdin EOF or
SIGTERM.

Cancellation is cooperative: when the host sends `cancel`, ``ctx.cancelled`` becomes true. Handlers doing
long work should poll it (or call ``ctx.check_cancelled()``) and return early. The run is answered with
error -32800 as soon as the handler returns (whatever it returns). A handler that never looks is killed by
the host after its cancel grace period (5 s).

stdout belongs to the protocol. ``main()`` moves the protocol to a private duplicate of fd 1 and points fd 1
(and ``sys.stdout``) at stderr, so ``print()`` in a handler, and child processes it starts, write to the
plugin's log instead of corrupting the protocol stream. stdin is likewise moved away from fd 0.
"""

import json
import os
import signal
import sys
import threading
import traceback

__all__ = [
    "Plugin", "Command", "Param", "Context", "Target", "Table", "Ok", "GateTripped",
    "PluginError", "ToolMissing", "PreconditionFailed", "InvalidParams", "RunFailed", "Cancelled",
    "PROTOCOL_VERSIONS", "DEFAULT_MAX_MESSAGE_BYTES",
]

PROTOCOL_VERSIONS = ("1.1", "1.0")  # newest first
DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
SHUTDOWN_RUN_GRACE = 1.5  # seconds shutdown waits for a cancelled handler (the host waits 2 s for the answer)

PARAM_TYPES = ("string", "int", "bool", "list", "path")
SEVERITIES = ("critical", "high", "medium", "low", "info", "unknown")
CATEGORIES = ("vulnerability", "misconfiguration", "secret", "compliance", "runtime", "network", "storage",
              "supply-chain")
ACTION_STATUSES = ("planned", "applied", "failed", "skipped")
LOG_LEVELS = ("debug", "info", "warning", "error")

# Error codes (PROTOCOL.md, "Error codes").
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800
UNSUPPORTED_VERSION = -32010
TOOL_MISSING = -32011
PRECONDITION_FAILED = -32012
MESSAGE_TOO_LARGE = -32013
INVALID_STATE = -32014
RUN_FAILED = -32015

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_name(s):
    return isinstance(s, str) and 0 < len(s) <= 64 and "a" <= s[0] <= "z" and set(s) <= _NAME_CHARS


def _is_int(v):
    # bool is a subclass of int in Python; JSON true is not an integer.
    return isinstance(v, int) and not isinstance(v, bool)


def _check_bytes(field, value, limit):
    if len(value.encode("utf-8", "replace")) > limit:
        raise ValueError("%s is longer than %d bytes" % (field, limit))


# ---------------------------------------------------------------------------------------------------------
# Errors a handler raises


class PluginError(Exception):
    """Base of the errors a handler may raise; answered as a JSON-RPC error with ``code`` and ``data``."""
    code = RUN_FAILED

    def __init__(self, message, data=None):
        super().__init__(message)
        self.message = message
        self.data = data


class RunFailed(PluginError):
    """The command failed (-32015). Say what went wrong and what to do."""
    code = RUN_FAILED


class ToolMissing(PluginError):
    """An external program is not installed (-32011). ``install`` tells the user how to get it."""
    code = TOOL_MISSING

    def __init__(self, tool, install):
        super().__init__("%s is not installed: %s" % (tool, install), {"tool": tool, "install": install})


class PreconditionFailed(PluginError):
    """Something the command needs is not there (-32012), e.g. docker not running. Say what to do."""
    code = PRECONDITION_FAILED


class InvalidParams(PluginError):
    """An argument is unusable (-32602). ``param`` names it."""
    code = INVALID_PARAMS

    def __init__(self, param, message):
        super().__init__(message, {"param": param})


class Cancelled(PluginError):
    """Raised by ``Context.check_cancelled()``; the run is answered with -32800."""
    code = REQUEST_CANCELLED

    def __init__(self):
        super().__init__("cancelled")


# ---------------------------------------------------------------------------------------------------------
# Declarations


class Param:
    """A typed command parameter.

    ``type`` is one of "string", "int", "bool", "list" (list of strings), "path" (a string the SDK makes
    absolute). ``enum`` (allowed values) is valid for "string" and "list" only. The host maps
    ``--<name> VALUE`` on its command line onto the parameter.
    """

    def __init__(self, name, type, description, required=False, default=None, enum=None):
        if not _is_name(name):
            raise ValueError("param name %r must match ^[a-z][a-z0-9-]*$" % (name,))
        if type not in PARAM_TYPES:
            raise ValueError("param %s: type %r must be one of %s" % (name, type, ", ".join(PARAM_TYPES)))
        if enum is not None:
            if type not in ("string", "list"):
                raise ValueError("param %s: enum is only allowed for string and list params" % name)
            if not enum or not all(isinstance(e, str) for e in enum):
                raise ValueError("param %s: enum must be a non-empty list of strings" % name)
        self.name, self.type, self.description = name, type, description
        self.required, self.enum = bool(required), (list(enum) if enum is not None else None)
        self.default = default
        if default is not None:
            problem = self._problem(default)
            if problem:
                raise ValueError("param %s: default %s" % (name, problem))

    def _problem(self, value):
        """Why ``value`` does not fit this param, or None."""
        t = self.type
        if t in ("string", "path") and not isinstance(value, str):
            return "must be a string"
        if t == "int" and not _is_int(value):
            return "must be an integer"
        if t == "bool" and not isinstance(value, bool):
            return "must be true or false"
        if t == "list" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return "must be a list of strings"
        if self.enum is not None:
            values = value if t == "list" else [value]
            bad = [v for v in values if v not in self.enum]
            if bad:
                return "has %r, allowed: %s" % (bad[0], ", ".join(self.enum))
        return None

    def spec(self):
        """The ParamSpec object sent in the initialize result."""
        d = {"name": self.name, "type": self.type, "required": self.required, "description": self.description}
        if self.default is not None:
            d["default"] = self.default
        if self.enum is not None:
            d["enum"] = list(self.enum)
        return d


class Command:
    """A command: ``handler(ctx)`` returns a summary dict, None, ``Ok(...)`` or ``GateTripped(...)``.

    ``long_running=True`` (protocol 1.1) declares a command that runs until stopped (an exporter, a monitor): the
    host applies no timeout unless the user gives one and stops it with ``cancel`` on Ctrl-C. The handler should
    then see ``ctx.cancelled``, wind down and return its normal outcome (a summary of what it did) within the host's
    cancel grace (5 s); that outcome answers the run.
    """

    def __init__(self, name, description, handler, params=(), default=False, long_running=False):
        if not _is_name(name):
            raise ValueError("command name %r must match ^[a-z][a-z0-9-]*$" % (name,))
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise ValueError("command %s declares a param twice" % name)
        self.name, self.description, self.handler = name, description, handler
        self.params, self.default = list(params), bool(default)
        self.long_running = bool(long_running)

    def spec(self, version=PROTOCOL_VERSIONS[0]):
        """The CommandSpec object sent in the initialize result (``longRunning`` exists from protocol 1.1)."""
        d = {"name": self.name, "description": self.description, "default": self.default,
             "params": [p.spec() for p in self.params]}
        if self.long_running and _version_key(version) >= (1, 1):
            d["longRunning"] = True
        return d


class Table:
    """Data a command returns rather than findings (a rule list, a catalogue, a matrix), rendered by every report
    format, the terminal table included (PROTOCOL.md, "Table results")::

        return Ok({"count": len(rules)}, table=Table(
            columns=[("id", "ID"), ("title", "TITLE")],
            rows=[{"id": r.id, "title": r.title} for r in rules], title="rules"))

    ``columns`` is a list of ``(key, title)`` pairs; each row is a dict from column key to a string, number,
    bool or None (a missing key is an empty cell). ``group`` names a column whose value heads its rows on a
    terminal; ``footer`` is one line under the rows. Raises ValueError when a rule of the protocol is broken.
    """

    MAX_COLUMNS, MAX_KEY, MAX_TITLE, MAX_CELL = 32, 64, 256, 4096

    def __init__(self, columns, rows, title=None, group=None, footer=None):
        cols = [tuple(c) for c in columns]
        if not 1 <= len(cols) <= self.MAX_COLUMNS:
            raise ValueError("a table has 1 to %d columns, got %d" % (self.MAX_COLUMNS, len(cols)))
        keys = set()
        for key, heading in cols:
            if not _is_table_key(key):
                raise ValueError("column key %r must match ^[A-Za-z][A-Za-z0-9_.-]*$ (at most 64 bytes)" % (key,))
            if key in keys:
                raise ValueError("column key %r is declared twice" % key)
            keys.add(key)
            if not isinstance(heading, str) or not heading:
                raise ValueError("column %s needs a non-empty title" % key)
            _check_bytes("column title", heading, self.MAX_TITLE)
        if title is not None:
            if not isinstance(title, str) or not title:
                raise ValueError("a table title is a non-empty string")
            _check_bytes("table title", title, self.MAX_TITLE)
        checked = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ValueError("table row %d must be a dict" % i)
            for key, cell in row.items():
                if key not in keys:
                    raise ValueError("table row %d: %r is not a declared column" % (i, key))
                if isinstance(cell, str):
                    _check_bytes("table row %d %s" % (i, key), cell, self.MAX_CELL)
                elif cell is not None and not isinstance(cell, (bool, int, float)):
                    raise ValueError("table row %d: cell %s must be a string, number, bool or None" % (i, key))
            checked.append(dict(row))
        if group is not None and group not in keys:
            raise ValueError("table group %r is not a declared column" % (group,))
        if footer is not None:
            if not isinstance(footer, str) or not footer:
                raise ValueError("a table footer is a non-empty string")
            _check_bytes("table footer", footer, self.MAX_CELL)
        self.columns, self.rows, self.title, self.group, self.footer = cols, checked, title, group, footer

    def to_json(self):
        d = {"columns": [{"key": k, "title": t} for k, t in self.columns], "rows": self.rows}
        if self.title is not None:
            d["title"] = self.title
        if self.group is not None:
            d["group"] = self.group
        if self.footer is not None:
            d["footer"] = self.footer
        return d


def _is_table_key(s):
    return (isinstance(s, str) and 0 < len(s.encode("utf-8")) <= 64 and s[0].isascii() and s[0].isalpha()
            and all(c.isascii() and (c.isalnum() or c in "_.-") for c in s))


class Ok:
    """A successful run with a free-form ``summary`` object and, optionally, a ``Table`` of returned data."""

    def __init__(self, summary=None, table=None):
        self.summary = dict(summary or {})
        self.table = _table(table)


class GateTripped:
    """A plugin-side gate tripped (e.g. too many criticals): the host exits with its "gate tripped" code."""

    def __init__(self, message, summary=None, table=None):
        if not message:
            raise ValueError("GateTripped needs a message")
        self.message, self.summary = message, dict(summary or {})
        self.table = _table(table)


def _table(table):
    if table is not None and not isinstance(table, Table):
        raise TypeError("table must be a contsec_plugin.Table")
    return table


class Target:
    """What a finding is about: ``kind`` (image, container, file, host, ...) and ``name``; file/line optional."""

    def __init__(self, kind, name, file=None, line=None, column=None, end_line=None):
        self.kind, self.name, self.file = kind, name, file
        self.line, self.column, self.end_line = line, column, end_line

    def to_json(self):
        d = {"kind": self.kind, "name": self.name}
        for key, value in (("file", self.file), ("line", self.line), ("column", self.column),
                           ("endLine", self.end_line)):
            if value is not None:
                d[key] = value
        return d


# ---------------------------------------------------------------------------------------------------------
# The writer: one lock, one frame per write, never interleaved


class _Writer:
    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()
        self.max_bytes = DEFAULT_MAX_MESSAGE_BYTES
        self.closed = False  # after the shutdown answer nothing more is sent

    def encode(self, msg):
        # json.dumps escapes control characters, so the frame holds no raw LF.
        # "replace" turns lone surrogates (undecodable file names) into "?" instead of crashing.
        data = json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
        if len(data) > self.max_bytes:
            raise ValueError("message of %d bytes exceeds the %d-byte cap" % (len(data), self.max_bytes))
        return data + b"\n"

    def send(self, msg, last=False, context=None):
        data = self.encode(msg)
        with self.lock:
            # Checked under the lock, so no notification of a run can follow the run's answer.
            if self.closed or (context is not None and context._closed):
                return
            view = memoryview(data)
            try:
                while view:
                    n = os.write(self.fd, view)
                    view = view[n:]
            except (BrokenPipeError, OSError):
                # The host is gone; nobody reads us any more.
                os._exit(0)
            if last:
                self.closed = True


# ---------------------------------------------------------------------------------------------------------
# The handler's context


class Context:
    """What a handler gets: arguments, workspace, flags, and ways to report.

    Attributes:
        command:   the command name being run.
        args:      dict of arguments, validated, defaults filled, "path" params absolute.
        workspace: absolute path of the workspace the host chose (write artifacts only inside it).
        dry_run:   True when the plugin must change nothing and report ``planned`` actions instead.
        verbose:   True when the user asked for verbose output.
    """

    def __init__(self, command, args, workspace, dry_run, verbose, writer):
        self.command, self.args, self.workspace = command, args, workspace
        self.dry_run, self.verbose = dry_run, verbose
        self._writer = writer
        self._cancelled = threading.Event()
        self._closed = False

    @property
    def cancelled(self):
        """True once the host has cancelled this run. Poll it in long loops and return early."""
        return self._cancelled.is_set()

    def check_cancelled(self):
        """Raise ``Cancelled`` if the run was cancelled."""
        if self._cancelled.is_set():
            raise Cancelled()

    def _notify(self, method, params):
        # Once the run is answered, late reports (a handler that ignored cancel, a leftover thread) are dropped.
        self._writer.send({"jsonrpc": "2.0", "method": method, "params": params}, context=self)

    def emit_finding(self, rule_id, title, severity, category, target, message=None, remediation=None,
                     references=(), fingerprint=None, properties=None):
        """Report a finding now (it is streamed, not buffered).

        ``target`` is a ``Target`` or a dict with kind and name. Raises ValueError when a field breaks a rule
        of the protocol (bad severity, oversized field...): that is a bug in the plugin.
        """
        if isinstance(target, Target):
            target = target.to_json()
        if not isinstance(target, dict) or not target.get("kind") or not isinstance(target.get("name"), str):
            raise ValueError("finding target needs kind and name")
        if not isinstance(rule_id, str) or not rule_id:
            raise ValueError("finding rule_id must be a non-empty string")
        if not isinstance(title, str):
            raise ValueError("finding title must be a string")
        if severity not in SEVERITIES:
            raise ValueError("finding severity %r must be one of %s" % (severity, ", ".join(SEVERITIES)))
        if category not in CATEGORIES:
            raise ValueError("finding category %r must be one of %s" % (category, ", ".join(CATEGORIES)))
        _check_bytes("ruleId", rule_id, 4096)
        _check_bytes("title", title, 4096)
        for key in ("kind", "name", "file"):
            if target.get(key) is not None:
                _check_bytes("target." + key, target[key], 4096)
        for key in ("line", "column", "endLine"):
            if target.get(key) is not None and not (_is_int(target[key]) and target[key] >= 1):
                raise ValueError("finding target.%s must be an integer >= 1" % key)
        f = {"ruleId": rule_id, "title": title, "severity": severity, "category": category, "target": target}
        if message is not None:
            _check_bytes("message", message, 65536)
            f["message"] = message
        if remediation is not None:
            _check_bytes("remediation", remediation, 65536)
            f["remediation"] = remediation
        references = list(references)
        if len(references) > 100:
            raise ValueError("a finding has at most 100 references")
        if references:
            f["references"] = references
        if fingerprint is not None:
            f["fingerprint"] = fingerprint
        if properties:
            f["properties"] = dict(properties)
        self._notify("finding", f)

    def emit_action(self, kind, target, status, detail=None, artifacts=()):
        """Report an action: ``status`` is planned (dry run), applied, failed or skipped."""
        if status not in ACTION_STATUSES:
            raise ValueError("action status %r must be one of %s" % (status, ", ".join(ACTION_STATUSES)))
        if not kind:
            raise ValueError("action kind must be non-empty")
        a = {"kind": kind, "target": target, "status": status}
        if detail is not None:
            a["detail"] = detail
        if artifacts:
            a["artifacts"] = list(artifacts)
        self._notify("action", a)

    def progress(self, message=None, current=None, total=None):
        """Report progress; it also keeps the host's idle timer from firing."""
        p = {}
        if message is not None:
            p["message"] = message
        for key, value in (("current", current), ("total", total)):
            if value is not None:
                if not (_is_int(value) and value >= 0):
                    raise ValueError("progress %s must be an integer >= 0" % key)
                p[key] = value
        self._notify("progress", p)

    def log(self, level, message):
        """Send a structured log line to the host (level: debug, info, warning, error)."""
        if level not in LOG_LEVELS:
            raise ValueError("log level %r must be one of %s" % (level, ", ".join(LOG_LEVELS)))
        self._notify("log", {"level": level, "message": message})


# ---------------------------------------------------------------------------------------------------------
# The plugin and its stdio loop


class _RpcError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _version_key(v):
    major, minor = v.split(".")
    return int(major), int(minor)


class Plugin:
    """A plugin: identity plus commands. Call ``main()`` to serve the protocol on stdin/stdout."""

    def __init__(self, name, version, description, vendor=None, capabilities=None, rules=()):
        """``rules`` (protocol 1.1): dicts with ``id`` and ``title`` and optionally ``description``,
        ``remediation``, ``helpUri``, ``severity``, ``category`` -- the rules your findings may carry, with their own
        text, which reports (SARIF's tool.driver.rules) use instead of the first finding's."""
        if not _is_name(name):
            raise ValueError("plugin name %r must match ^[a-z][a-z0-9-]*$" % (name,))
        self.rules = []
        for r in rules:
            if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not r["id"] or not isinstance(r.get("title"), str) or not r["title"]:
                raise ValueError("a rule is a dict with a non-empty id and title: %r" % (r,))
            unknown = set(r) - {"id", "title", "description", "remediation", "helpUri", "severity", "category"}
            if unknown:
                raise ValueError("rule %s: unknown members %s" % (r["id"], ", ".join(sorted(unknown))))
            if r.get("severity") is not None and r["severity"] not in SEVERITIES:
                raise ValueError("rule %s: severity %r" % (r["id"], r["severity"]))
            if r.get("category") is not None and r["category"] not in CATEGORIES:
                raise ValueError("rule %s: category %r" % (r["id"], r["category"]))
            self.rules.append(dict(r))
        self.name, self.version, self.vendor, self.description = name, version, vendor, description
        self.commands = []
        # dryRun: true promises the plugin changes nothing when dryRun is set (a pure scanner trivially does).
        self.capabilities = {"cancel": True, "progress": True, "dryRun": True}
        self.capabilities.update(capabilities or {})

    def add_command(self, command):
        """Register a ``Command``."""
        if any(c.name == command.name for c in self.commands):
            raise ValueError("command %s declared twice" % command.name)
        if command.default and any(c.default for c in self.commands):
            raise ValueError("only one command may be the default")
        self.commands.append(command)
        return command

    def command(self, name, description, params=(), default=False, long_running=False):
        """Decorator form of ``add_command``: ``@plugin.command("scan", "Scan", params=[...], default=True)``."""
        def register(handler):
            self.add_command(Command(name, description, handler, params=params, default=default,
                                     long_running=long_running))
            return handler
        return register

    def main(self):
        """Serve the protocol until ``exit``, stdin EOF or SIGTERM. Never returns."""
        if not self.commands:
            raise ValueError("plugin %s declares no command" % self.name)
        _Session(self).serve()


class _Session:
    def __init__(self, plugin):
        self.plugin = plugin
        self.initialized = False
        self.shut_down = False
        self.workspace, self.dry_run, self.verbose = os.getcwd(), False, False
        self.version = PROTOCOL_VERSIONS[-1]  # the version chosen in initialize
        self.run_lock = threading.Lock()
        self.run_id, self.run_ctx, self.run_thread = None, None, None
        self.inbox = []
        self.inbox_cv = threading.Condition()

    # -- setup -------------------------------------------------------------------------------------------
    def _take_stdio(self):
        """Keep private copies of fd 0 and fd 1 for the protocol; point fd 1 at stderr, fd 0 at /dev/null."""
        sys.stdout.flush()
        out_fd = os.dup(1)
        in_fd = os.dup(0)
        os.dup2(2, 1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.stdout = sys.stderr
        sys.stdin = open(os.devnull, "r")
        return in_fd, out_fd

    def serve(self):
        in_fd, out_fd = self._take_stdio()
        self.writer = _Writer(out_fd)
        signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(128 + signal.SIGTERM))
        threading.Thread(target=self._read_loop, args=(in_fd,), name="contsec-reader", daemon=True).start()
        while True:
            with self.inbox_cv:
                # A timed wait so the main thread regularly returns to the interpreter and runs signal handlers.
                while not self.inbox:
                    self.inbox_cv.wait(0.2)
                item = self.inbox.pop(0)
            if item is None:  # stdin EOF: the host is gone or wants us gone.
                self._abandon_run(grace=1.0)
                self._exit(0)
            self._handle_line(item)

    def _abandon_run(self, grace):
        """Cancel an in-flight run and give its handler ``grace`` seconds to answer -32800."""
        with self.run_lock:
            ctx, thread = self.run_ctx, self.run_thread
        if ctx is not None:
            ctx._cancelled.set()
            thread.join(grace)

    def _exit(self, code):
        # Never leave a half-written frame, but never hang on a host that stopped reading either.
        self.writer.lock.acquire(timeout=2)
        os._exit(code)

    # -- reading -----------------------------------------------------------------------------------------
    def _read_loop(self, fd):
        reader = os.fdopen(fd, "rb", buffering=65536)
        while True:
            limit = self.writer.max_bytes
            line = reader.readline(limit + 2)  # payload + optional CR + LF
            if not line:
                break
            if not line.endswith(b"\n") and len(line) == limit + 2:
                size = len(line)
                while True:  # discard the rest of the frame without keeping it
                    chunk = reader.readline(65536)
                    size += len(chunk)
                    if not chunk or chunk.endswith(b"\n"):
                        break
                self._oversized(size - 1)
                continue
            if line.endswith(b"\n"):
                line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
            if len(line) > limit:
                self._oversized(len(line))
                continue
            if line.strip():
                self._post(line)
        self._post(None)

    def _post(self, item):
        with self.inbox_cv:
            self.inbox.append(item)
            self.inbox_cv.notify()

    def _oversized(self, size):
        text = "frame of %d bytes exceeds the %d-byte cap; discarded" % (size, self.writer.max_bytes)
        sys.stderr.write("contsec-plugin: %s\n" % text)
        if self.initialized:  # no notification before initialize (PROTOCOL.md section 3): stderr only then
            self._send_log("error", text)  # the frame's id is unknown, so there is nothing to answer

    # -- sending -----------------------------------------------------------------------------------------
    def _send_log(self, level, message):
        self.writer.send({"jsonrpc": "2.0", "method": "log", "params": {"level": level, "message": message}})

    def _error(self, id_, code, message, data=None, last=False):
        err = {"code": code, "message": message}
        if data is not None:
            err["data"] = data
        self.writer.send({"jsonrpc": "2.0", "id": id_, "error": err}, last=last)

    def _result(self, id_, result, last=False):
        self.writer.send({"jsonrpc": "2.0", "id": id_, "result": result}, last=last)

    # -- dispatch ----------------------------------------------------------------------------------------
    def _handle_line(self, line):
        try:
            msg = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            return self._error(None, PARSE_ERROR, "parse error: %s" % e)
        if not isinstance(msg, dict):
            return self._error(None, INVALID_REQUEST, "invalid request: a message is one JSON object (no batches)")
        if "method" not in msg and ("result" in msg or "error" in msg):
            return  # a response: a plugin sends no requests in 1.0, so there is nothing to match it with
        has_id = "id" in msg
        id_ = msg.get("id")
        id_ok = isinstance(id_, str) or _is_int(id_)
        method = msg.get("method")
        if msg.get("jsonrpc") != "2.0" or not isinstance(method, str) or (has_id and not id_ok):
            if not has_id and isinstance(method, str):
                return  # a malformed notification gets no answer
            return self._error(id_ if id_ok else None, INVALID_REQUEST,
                               "invalid request: needs \"jsonrpc\":\"2.0\", a method and a string or integer id")
        params = msg.get("params", {})
        if self.shut_down and not (method == "exit" and not has_id):
            return  # after the shutdown answer a plugin sends nothing more; only exit matters
        if not has_id:
            return self._notification(method, params)
        try:
            self._request(id_, method, params)
        except _RpcError as e:
            self._error(id_, e.code, e.message, e.data)
        except Exception as e:  # a bug in the SDK or a declaration: answer, keep serving
            traceback.print_exc(file=sys.stderr)
            self._error(id_, INTERNAL_ERROR, "internal error: %s: %s" % (type(e).__name__, e))

    def _notification(self, method, params):
        if method == "exit":
            self._exit(0)
        if not self.initialized:
            return  # notifications before initialize are ignored
        if method == "cancel":
            target = params.get("id") if isinstance(params, dict) else None
            with self.run_lock:
                if self.run_ctx is not None and target == self.run_id and type(target) is type(self.run_id):
                    self.run_ctx._cancelled.set()
        # "initialized" needs no action; unknown notifications are ignored (JSON-RPC).

    def _request(self, id_, method, params):
        if method == "initialize":
            return self._initialize(id_, params)
        if not self.initialized:
            raise _RpcError(NOT_INITIALIZED, "not initialized: send initialize first")
        if method == "run":
            return self._run(id_, params)
        if method == "shutdown":
            return self._shutdown(id_)
        raise _RpcError(METHOD_NOT_FOUND, "method not found: %s%s" % (
            method, " (it is a notification: send it without an id)" if method in ("initialized", "cancel", "exit") else ""))

    def _initialize(self, id_, params):
        if self.initialized:
            raise _RpcError(INVALID_STATE, "already initialized")
        if not isinstance(params, dict):
            raise _RpcError(INVALID_PARAMS, "initialize params must be an object", {"param": "params"})
        offered = params.get("protocolVersions")
        if not isinstance(offered, list) or not offered or not all(isinstance(v, str) for v in offered):
            raise _RpcError(INVALID_PARAMS, "protocolVersions must be a non-empty list of version strings",
                            {"param": "protocolVersions"})
        common = [v for v in PROTOCOL_VERSIONS if v in offered]
        if not common:
            raise _RpcError(UNSUPPORTED_VERSION, "unsupported protocol version: host offers %s; plugin supports %s"
                            % (", ".join(offered), ", ".join(PROTOCOL_VERSIONS)),
                            {"supported": list(PROTOCOL_VERSIONS)})
        limits = params.get("limits") or {}
        cap = limits.get("maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES) if isinstance(limits, dict) else None
        if not (_is_int(cap) and cap >= 1024):
            raise _RpcError(INVALID_PARAMS, "limits.maxMessageBytes must be an integer", {"param": "limits"})
        workspace = params.get("workspace", os.getcwd())
        if not isinstance(workspace, str) or not workspace:
            raise _RpcError(INVALID_PARAMS, "workspace must be an absolute path", {"param": "workspace"})
        self.workspace = os.path.abspath(workspace)
        self.dry_run = params.get("dryRun") is True
        self.verbose = params.get("verbose") is True
        self.writer.max_bytes = cap
        self.initialized = True
        p = self.plugin
        info = {"name": p.name, "version": p.version, "description": p.description}
        if p.vendor is not None:
            info["vendor"] = p.vendor
        self.version = max(common, key=_version_key)
        result = {"protocolVersion": self.version, "plugin": info,
                  "commands": [c.spec(self.version) for c in p.commands], "capabilities": dict(p.capabilities)}
        if p.rules and _version_key(self.version) >= (1, 1):
            result["rules"] = p.rules
        self._result(id_, result)

    def _validate_args(self, params):
        if not isinstance(params, dict):
            raise _RpcError(INVALID_PARAMS, "run params must be an object", {"param": "params"})
        name = params.get("command")
        command = next((c for c in self.plugin.commands if c.name == name), None)
        if command is None:
            raise _RpcError(INVALID_PARAMS, "unknown command %r; commands: %s"
                            % (name, ", ".join(c.name for c in self.plugin.commands)), {"param": "command"})
        args = params.get("args", {})
        if not isinstance(args, dict):
            raise _RpcError(INVALID_PARAMS, "args must be an object", {"param": "args"})
        declared = {p.name: p for p in command.params}
        for key in args:
            if key not in declared:
                raise _RpcError(INVALID_PARAMS, "unknown param %r for command %s; params: %s"
                                % (key, command.name, ", ".join(declared) or "none"), {"param": key})
        out = {}
        for p in command.params:
            value = args.get(p.name)
            if p.type == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)  # JSON 5.0 is the integer 5 (as in JSON Schema and the Swift kit)
            if value is None:  # absent and null are the same: "use the default"
                if p.required:
                    raise _RpcError(INVALID_PARAMS, "missing required param %r" % p.name, {"param": p.name})
                if p.default is not None:
                    out[p.name] = json.loads(json.dumps(p.default))  # a copy the handler may mutate
                continue
            problem = p._problem(value)
            if problem:
                raise _RpcError(INVALID_PARAMS, "param %r %s" % (p.name, problem), {"param": p.name})
            out[p.name] = value
        for p in command.params:
            if p.type == "path" and p.name in out:
                out[p.name] = os.path.abspath(out[p.name])
        return command, out

    def _run(self, id_, params):
        with self.run_lock:
            if self.run_ctx is not None:
                raise _RpcError(INVALID_STATE, "a run is already in flight (id %r)" % (self.run_id,))
            command, args = self._validate_args(params)
            ctx = Context(command.name, args, self.workspace, self.dry_run, self.verbose, self.writer)
            self.run_id, self.run_ctx = id_, ctx
            self.run_thread = threading.Thread(target=self._run_worker, args=(id_, command, ctx),
                                               name="contsec-run", daemon=True)
            self.run_thread.start()

    def _run_worker(self, id_, command, ctx):
        try:
            outcome = command.handler(ctx)
            if ctx.cancelled and not (command.long_running and _version_key(self.version) >= (1, 1)):
                raise Cancelled()  # a stopped long-running command answers with its own outcome instead
            if outcome is None:
                outcome = Ok()
            elif isinstance(outcome, dict):
                outcome = Ok(outcome)
            if isinstance(outcome, GateTripped):
                result = {"status": "gate-tripped", "message": outcome.message, "summary": outcome.summary}
            elif isinstance(outcome, Ok):
                result = {"status": "ok", "summary": outcome.summary}
            else:
                raise TypeError("handler of %s returned %r; return a dict, None, Ok or GateTripped"
                                % (command.name, type(outcome).__name__))
            if outcome.table is not None:
                if _version_key(self.version) >= (1, 1):
                    result["table"] = outcome.table.to_json()
                else:  # protocol 1.0 has no table member: the data travels in the free-form summary
                    result["summary"]["table"] = outcome.table.to_json()
            self.writer.encode(result)  # fail here, as an error answer, if the summary is too large
            response = ("result", result)
        except PluginError as e:
            if ctx.cancelled:
                e = Cancelled()
            response = ("error", (e.code, e.message, e.data))
        except Exception as e:  # a bug in the handler: report it, keep the process alive
            traceback.print_exc(file=sys.stderr)
            code = REQUEST_CANCELLED if ctx.cancelled else RUN_FAILED
            message = "cancelled" if ctx.cancelled else "run failed: %s: %s" % (type(e).__name__, e)
            response = ("error", (code, message, None))
        with self.run_lock:
            if self.run_ctx is not ctx:
                return  # already answered -32800 on the handler's behalf (shutdown gave up waiting)
            # Clear the in-flight run before answering: the host may send the next run as soon as it reads this.
            self.run_id, self.run_ctx, self.run_thread = None, None, None
            ctx._closed = True
            if response[0] == "result":
                self._result(id_, response[1])
            else:
                self._error(id_, *response[1])

    def _shutdown(self, id_):
        with self.run_lock:
            ctx, thread, run_id = self.run_ctx, self.run_thread, self.run_id
        if ctx is not None:  # a run still in flight: cancel it and let it answer first
            ctx._cancelled.set()
            thread.join(SHUTDOWN_RUN_GRACE)
            with self.run_lock:
                if self.run_ctx is ctx:  # the handler ignores cancellation: answer for it, drop what it sends later
                    ctx._closed = True
                    self.run_id, self.run_ctx, self.run_thread = None, None, None
                    self._error(run_id, REQUEST_CANCELLED, "cancelled")
        self.shut_down = True
        self._result(id_, None, last=True)
