#!/usr/bin/env python3
"""Drives contsec-iac-scan over its stdio JSON-RPC protocol (v1): initialize, initialized, run,
shutdown, exit. Prints one JSON line: {"findings": N, "summary": {...}, "seconds": S}.
Usage: iac_scan_driver.py PLUGIN_BINARY DIR [--print-findings] [--command scan|rules]"""
import json, subprocess, sys, time

def main():
    binary, directory = sys.argv[1], sys.argv[2]
    show = "--print-findings" in sys.argv
    command = "scan"
    if "--command" in sys.argv:
        command = sys.argv[sys.argv.index("--command") + 1]
    start = time.monotonic()
    p = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, bufsize=1)
    def send(obj):
        p.stdin.write(json.dumps(obj) + "\n")
        p.stdin.flush()
    def wait_for(req_id, findings):
        for line in p.stdout:
            msg = json.loads(line)
            if msg.get("method") == "finding":
                findings.append(msg["params"])
            elif msg.get("method") == "log" and msg["params"].get("level") == "error":
                print("plugin error log:", msg["params"].get("message"), file=sys.stderr)
            elif msg.get("id") == req_id:
                return msg
        raise SystemExit("plugin closed stdout before answering request %r" % req_id)
    findings = []
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersions": ["1.0"],
          "host": {"name": "bench-driver", "version": "0", "pid": 0}, "workspace": directory,
          "dryRun": False, "verbose": False, "limits": {"maxMessageBytes": 16777216}}})
    init = wait_for(1, findings)
    if "error" in init:
        raise SystemExit("initialize failed: %s" % init["error"])
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    args = {"dir": directory} if command == "scan" else {}
    send({"jsonrpc": "2.0", "id": 2, "method": "run", "params": {"command": command, "args": args}})
    res = wait_for(2, findings)
    send({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
    wait_for(3, findings)
    send({"jsonrpc": "2.0", "method": "exit"})
    p.stdin.close()
    p.wait(timeout=10)
    elapsed = time.monotonic() - start
    if "error" in res:
        raise SystemExit("run failed: %s" % res["error"])
    if show:
        for f in findings:
            t = f["target"]
            print("%-11s %-8s %s:%s %s" % (f["ruleId"], f["severity"], t.get("file"), t.get("line"), f.get("message", "")))
    print(json.dumps({"findings": len(findings), "summary": res["result"].get("summary"), "seconds": round(elapsed, 3)}))

main()
