#!/usr/bin/env python3
"""A protocol-1.0 plugin written without the SDK, for the conformance kit's tests.

Correct by default. CONFORMANCE_BREAK=<check id> makes it break exactly the rule that check tests, so the
kit can be shown to fail it (one wrapper per check: contsec-broken-<check>).
"""
import json
import os
import signal
import sys
import threading
import time

BREAK = os.environ.get("CONFORMANCE_BREAK", "")
OUT = sys.stdout.buffer
LOCK = threading.Lock()
RUN_SECONDS = 1.5   # long enough that an ignored cancel is visible (the kit allows 1 s)

COMMANDS = [{"name": "scan", "description": "Pretend to scan", "default": True, "params": [
    {"name": "dir", "type": "path", "default": ".", "description": "Folder"},
    {"name": "label", "type": "string", "description": "Free text, echoed in a log message"},
    {"name": "count", "type": "int", "default": 1, "description": "Findings to emit"},
    {"name": "strict", "type": "bool", "default": False, "description": "A switch"},
    {"name": "mode", "type": "string", "enum": ["fast", "slow"], "default": "fast", "description": "An enumeration"}]}]

# Tests of the kit's network isolation: try a loopback connection at start-up; the test counts what arrives.
if os.environ.get("CONFORMANCE_CONNECT_PORT"):
    import socket
    try:
        socket.create_connection(("127.0.0.1", int(os.environ["CONFORMANCE_CONNECT_PORT"])), timeout=0.5).close()
    except OSError:
        pass

if BREAK == "stdout-clean":
    OUT.write(b"conformance fixture starting up\n")
    OUT.flush()
if BREAK == "sigterm":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def send(msg):
    data = json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    with LOCK:
        OUT.write(data)
        OUT.flush()


def answer(id_, result):
    send({"jsonrpc": "2.0", "id": id_, "result": result})


def error(id_, code, message, data=None):
    e = {"code": code, "message": message}
    if data is not None:
        e["data"] = data
    send({"jsonrpc": "2.0", "id": id_, "error": e})


RUNS = {}  # runs in flight, by id (ids keep their JSON type: 7 and "7" differ)
LOCK_RUNS = threading.Lock()


class Run:
    def __init__(self, id_, args):
        self.id, self.args, self.cancelled = id_, args, threading.Event()

    def work(self):
        label = self.args.get("label")
        if label is not None:
            send({"jsonrpc": "2.0", "method": "log", "params": {"level": "info", "message": "label: " + label}})
        for i in range(self.args.get("count", 1)):
            finding = {"ruleId": "CONF-001", "title": "Example finding %d" % i, "severity": "low",
                       "category": "misconfiguration", "target": {"kind": "file", "name": "example", "line": 1}}
            if BREAK == "schema":
                del finding["category"]
            if BREAK == "empty-target-name":
                finding["target"]["name"] = ""  # the schema allowed it once; every real run rejects it
            if BREAK == "host-rules":
                finding["title"] = "\u00e9" * 3000  # 3000 characters fit the schema; 6000 bytes break the host's limit
            send({"jsonrpc": "2.0", "method": "finding", "params": finding})
        if BREAK == "run-default":
            os._exit(1)  # crash without answering
        end = time.time() + RUN_SECONDS
        while time.time() < end:
            if self.cancelled.is_set() and BREAK != "cancel":
                self.done(lambda: error(self.id, -32800, "cancelled"))
                return
            time.sleep(0.01)
        self.done(lambda: answer(self.id, {"status": "ok", "summary": {"findings": self.args.get("count", 1)}}))
        if BREAK == "after-answer":
            send({"jsonrpc": "2.0", "method": "finding", "params": {
                "ruleId": "CONF-LATE", "title": "after the answer", "severity": "low", "category": "misconfiguration",
                "target": {"kind": "file", "name": "example"}}})

    def done(self, send_answer):
        """Answer once: whichever of the work, a cancel or a shutdown comes first."""
        with LOCK_RUNS:
            if RUNS.pop(self.id, None) is None:
                return
            send_answer()


def check_args(params):
    if params.get("command") != "scan":
        if BREAK == "invalid-params-command":
            return (-32601, "no such method")
        return (-32602, "unknown command %r" % params.get("command"))
    args = dict(params.get("args") or {})
    types = {"dir": str, "label": str, "count": int, "strict": bool, "mode": str}
    for k, v in args.items():
        if k not in types:
            return (-32602, "unknown parameter " + k)
        if k == "mode" and v not in ("fast", "slow") and BREAK != "invalid-params-values":
            return (-32602, "mode must be fast or slow")
        if BREAK == "invalid-params-type":
            continue
        if type(v) is not types[k]:
            return (-32602, "%s must be %s" % (k, types[k].__name__))
    return args


def main():
    initialized = False
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        if not raw:
            if BREAK == "stdin-eof":
                while True:
                    time.sleep(1)
            os._exit(0)
        if BREAK == "crlf" and raw.endswith(b"\r\n"):
            error(None, -32700, "parse error: unexpected CR")
            continue
        if BREAK == "large-message" and len(raw) > 65536:
            error(None, -32013, "message too large for a 64 KiB buffer")
            continue
        if BREAK == "non-ascii" and any(b > 127 for b in raw):
            error(None, -32700, "parse error: only ASCII is understood")
            continue
        line = raw.strip()
        if not line:
            continue
        try:
            msg = json.loads(line.decode("utf-8"))
        except ValueError as e:
            error(None, -32700 if BREAK != "invalid-request" else -32603, "parse error: %s" % e)
            continue
        if not isinstance(msg, dict):
            error(None, -32600, "invalid request: a message is one JSON object (no batches)")
            continue
        method, id_, params = msg.get("method"), msg.get("id"), msg.get("params") or {}
        if "id" not in msg:
            if method is None:
                error(None, -32600, "invalid request: neither id nor method")
            elif method == "cancel":
                target = params.get("id")
                with LOCK_RUNS:
                    match = [r for k, r in RUNS.items() if k == target and (type(k) is type(target) or BREAK == "cancel-id-type")]
                    if BREAK == "cancel-id-type":
                        match = [r for k, r in RUNS.items() if str(k) == str(target)]
                for r in match:
                    r.cancelled.set()
            elif method == "exit":
                os._exit(3 if BREAK == "shutdown-exit" else 0)
            continue
        if method == "initialize" and initialized and BREAK != "invalid-state":
            error(id_, -32014, "already initialized")
        elif method == "initialize":
            offered = params.get("protocolVersions", [])
            if "1.0" not in offered and BREAK != "version-negotiation":
                error(id_, -32010, "unsupported protocol version", {"supported": ["1.0"]})
                continue
            initialized = True
            answer(id_, {"protocolVersion": "2.0" if BREAK == "handshake" else "1.0",
                         "plugin": {"name": "conf-fixture", "version": "1.0.0", "description": "conformance fixture"},
                         "commands": COMMANDS, "capabilities": {"cancel": True, "progress": False, "dryRun": True}})
        elif not initialized:
            error(id_, -32601 if BREAK == "not-initialized" else -32002, "not initialized")
        elif method == "shutdown":
            with LOCK_RUNS:
                in_flight = list(RUNS.values())
            for r in in_flight:  # cancel and answer a run still going before answering shutdown
                if BREAK == "shutdown-during-run":
                    with LOCK_RUNS:
                        RUNS.pop(r.id, None)  # abandon it unanswered
                    continue
                r.cancelled.set()
                r.done(lambda r=r: error(r.id, -32800, "cancelled"))
            answer(id_, None)
        elif method == "run":
            checked = check_args(params)
            if isinstance(checked, tuple):
                error(id_, checked[0], checked[1])
                continue
            with LOCK_RUNS:
                busy = bool(RUNS) and BREAK != "invalid-state"
            if busy:
                error(id_, -32014, "a run is already in flight")
                continue
            run = Run(id_, checked)
            with LOCK_RUNS:
                RUNS[id_] = run
            threading.Thread(target=run.work, daemon=True).start()
        elif BREAK == "unknown-method":
            answer(id_, None)
        else:
            error(id_, -32601, "method not found: %s" % method)


main()
