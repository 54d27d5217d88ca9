"""A small JSON Schema draft 2020-12 validator: exactly the keywords sdk-protocol/schema uses.

Stdlib only, so the protocol tests need nothing installed. A schema using any keyword outside the
subset is rejected loudly (UnsupportedKeyword) rather than silently ignored.
"""
import json
import math
import os
import re
from urllib.parse import urldefrag, urljoin

ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment", "examples"}
ASSERTIONS = {"$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "propertyNames",
              "items", "minItems", "maxItems", "pattern", "minLength", "maxLength", "minimum", "maximum",
              "allOf", "anyOf", "oneOf", "not", "if", "then", "else"}


class UnsupportedKeyword(Exception):
    pass


def _type_ok(value, t):
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    raise UnsupportedKeyword("type %r" % t)


def _equal(a, b):
    """JSON equality: true is not 1, 1 equals 1.0, objects and arrays compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


class SchemaStore:
    """All schemas of a folder, addressed by their $id."""

    def __init__(self, folder):
        self.docs = {}
        for name in sorted(os.listdir(folder)):
            if name.endswith(".schema.json"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    doc = json.load(f)
                self.docs[doc["$id"]] = doc
        self.by_file = {uri.rsplit("/", 1)[1]: uri for uri in self.docs}

    def uri(self, file_name):
        return self.by_file[file_name]

    def _resolve(self, ref, base):
        url, fragment = urldefrag(urljoin(base, ref))
        if url not in self.docs:
            raise KeyError("unresolvable $ref %s (from %s)" % (ref, base))
        node = self.docs[url]
        if fragment:
            for part in fragment.lstrip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, url

    def errors(self, instance, file_name):
        """A list of human-readable errors; empty when ``instance`` is valid against the named schema file."""
        uri = self.uri(file_name)
        out = []
        self._check(instance, self.docs[uri], uri, "$", out)
        return out

    def _check(self, v, s, base, path, out):
        if s is True:
            return
        if s is False:
            out.append("%s: not allowed" % path)
            return
        unknown = set(s) - ANNOTATIONS - ASSERTIONS
        if unknown:
            raise UnsupportedKeyword("%s uses %s" % (base, ", ".join(sorted(unknown))))
        if "$id" in s:
            base = urljoin(base, s["$id"])
        if "$ref" in s:
            target, target_base = self._resolve(s["$ref"], base)
            self._check(v, target, target_base, path, out)
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(_type_ok(v, t) for t in types):
                out.append("%s: expected %s, got %s" % (path, " or ".join(types), json.dumps(v)[:80]))
                return
        if "const" in s and not _equal(v, s["const"]):
            out.append("%s: must be %s" % (path, json.dumps(s["const"])))
        if "enum" in s and not any(_equal(v, e) for e in s["enum"]):
            out.append("%s: %s is not one of %s" % (path, json.dumps(v)[:80], json.dumps(s["enum"])))
        if isinstance(v, str):
            if "minLength" in s and len(v) < s["minLength"]:
                out.append("%s: shorter than %d" % (path, s["minLength"]))
            if "maxLength" in s and len(v) > s["maxLength"]:
                out.append("%s: longer than %d" % (path, s["maxLength"]))
            if "pattern" in s and not re.search(s["pattern"], v):
                out.append("%s: %r does not match %s" % (path, v[:80], s["pattern"]))
        if _type_ok(v, "number"):
            if "minimum" in s and v < s["minimum"]:
                out.append("%s: %s < minimum %s" % (path, v, s["minimum"]))
            if "maximum" in s and v > s["maximum"]:
                out.append("%s: %s > maximum %s" % (path, v, s["maximum"]))
        if isinstance(v, list):
            if "minItems" in s and len(v) < s["minItems"]:
                out.append("%s: fewer than %d items" % (path, s["minItems"]))
            if "maxItems" in s and len(v) > s["maxItems"]:
                out.append("%s: more than %d items" % (path, s["maxItems"]))
            if "items" in s:
                for i, item in enumerate(v):
                    self._check(item, s["items"], base, "%s[%d]" % (path, i), out)
        if isinstance(v, dict):
            for key in s.get("required", []):
                if key not in v:
                    out.append("%s: missing required %r" % (path, key))
            props = s.get("properties", {})
            for key, value in v.items():
                if key in props:
                    self._check(value, props[key], base, "%s.%s" % (path, key), out)
                elif "additionalProperties" in s:
                    if s["additionalProperties"] is False:
                        out.append("%s: unexpected member %r" % (path, key))
                    else:
                        self._check(value, s["additionalProperties"], base, "%s.%s" % (path, key), out)
                if "propertyNames" in s:
                    self._check(key, s["propertyNames"], base, "%s{%s}" % (path, key), out)
        for sub in s.get("allOf", []):
            self._check(v, sub, base, path, out)
        if "anyOf" in s:
            if not any(not self._sub(v, sub, base, path) for sub in s["anyOf"]):
                out.append("%s: matches none of anyOf" % path)
        if "oneOf" in s:
            results = [self._sub(v, sub, base, path) for sub in s["oneOf"]]
            passing = sum(1 for r in results if not r)
            if passing != 1:
                best = min(results, key=len) if passing == 0 else []
                out.append("%s: matches %d of oneOf (exactly 1 required)%s"
                           % (path, passing, ("; closest: " + "; ".join(best[:3])) if best else ""))
        if "not" in s and not self._sub(v, s["not"], base, path):
            out.append("%s: must not match %s" % (path, json.dumps(s["not"])[:80]))
        if "if" in s:
            branch = "then" if not self._sub(v, s["if"], base, path) else "else"
            if branch in s:
                self._check(v, s[branch], base, path, out)

    def _sub(self, v, s, base, path):
        out = []
        self._check(v, s, base, path, out)
        return out
