#!/usr/bin/env python3
"""End-to-end check of the bundled example through the host: runs
`contsec run iac-scan --dir examples/insecure-app --format sarif` and verifies that the SARIF results are
exactly the (rule, file:line) pairs listed in EXPECTED.md.
Usage: check-sarif.py [CONTSEC_BINARY] [--plugin-path PATH]   (defaults: .build/debug/contsec, discovery)"""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
args = sys.argv[1:]
contsec = os.path.join(repo, ".build/debug/contsec")
if args and not args[0].startswith("--"):
    contsec = args.pop(0)
if not os.access(contsec, os.X_OK):
    sys.exit("contsec binary %s not found: run `swift build` first or pass its path" % contsec)

expected = set()
for line in open(os.path.join(here, "EXPECTED.md")):
    if line.startswith("| CS-"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for loc in cells[2].split(","):
            f, l = loc.strip().rsplit(":", 1)
            # The scan runs from the repository root, so paths are reported relative to it.
            expected.add((cells[0], os.path.relpath(os.path.join(here, f), repo), int(l)))

cmd = [contsec, "run"] + args + ["iac-scan", "--dir", here, "--format", "sarif"]
p = subprocess.run(cmd, capture_output=True, text=True, cwd=repo)
if p.returncode not in (0, 1):
    sys.exit("contsec exited %d:\n%s" % (p.returncode, p.stderr[-2000:]))
sarif = json.loads(p.stdout)
got = set()
for run in sarif["runs"]:
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]
        got.add((r["ruleId"], loc["artifactLocation"]["uri"], loc["region"]["startLine"]))

missing, extra = expected - got, got - expected
for m in sorted(missing): print("missing from SARIF:", m)
for e in sorted(extra): print("unexpected in SARIF:", e)
if missing or extra:
    sys.exit(1)
print("SARIF matches EXPECTED.md: %d results, %d distinct locations" % (sum(len(r["results"]) for r in sarif["runs"]), len(got)))
