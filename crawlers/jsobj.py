"""Read JavaScript object literals (`window._CONFIG = {SID: '…', TREE: [...]}`) without running them.

Handles single- and double-quoted strings, unquoted keys, trailing commas, comments, true/false/null/undefined.
Anything else (function calls, expressions) makes `parse_js_value` raise ValueError.
"""
from __future__ import annotations

import re
from typing import Any

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"-?(?:0x[0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_PLAIN = {q: re.compile(r"[^\\" + q + r"]+") for q in "'\"`"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class _Parser:
    def __init__(self, text: str, pos: int = 0):
        self.s = text
        self.i = pos

    def ws(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c in " \t\r\n\ufeff\u3000":
                self.i += 1
            elif s.startswith("//", self.i):
                j = s.find("\n", self.i)
                self.i = n if j < 0 else j + 1
            elif s.startswith("/*", self.i):
                j = s.find("*/", self.i + 2)
                self.i = n if j < 0 else j + 2
            else:
                break

    def value(self) -> Any:
        self.ws()
        if self.i >= len(self.s):
            raise ValueError("unexpected end")
        c = self.s[self.i]
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        if c in "'\"`":
            return self.string()
        m = _NUMBER.match(self.s, self.i)
        if m:
            self.i = m.end()
            tok = m.group(0)
            if tok.lower().lstrip("-").startswith("0x"):
                return int(tok, 16)
            if re.fullmatch(r"-?\d+", tok):
                return int(tok)
            return float(tok)
        m = _IDENT.match(self.s, self.i)
        if m:
            word = m.group(0)
            self.i = m.end()
            consts = {"true": True, "false": False, "null": None, "undefined": None, "NaN": None}
            if word in consts:
                return consts[word]
            raise ValueError(f"unsupported identifier {word!r}")
        raise ValueError(f"unexpected {c!r} at {self.i}")

    def string(self) -> str:
        q = self.s[self.i]
        self.i += 1
        out = []
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                nxt = s[self.i + 1] if self.i + 1 < len(s) else ""
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", s[self.i + 2:self.i + 6] or ""):
                    out.append(chr(int(s[self.i + 2:self.i + 6], 16)))
                    self.i += 6
                    continue
                if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", s[self.i + 2:self.i + 4] or ""):
                    out.append(chr(int(s[self.i + 2:self.i + 4], 16)))
                    self.i += 4
                    continue
                if nxt == "\n":
                    self.i += 2
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.i += 2
                continue
            if c == q:
                self.i += 1
                return "".join(out)
            # copy the run of plain characters up to the next quote or backslash in one step
            m = _PLAIN[q].match(s, self.i)
            out.append(m.group(0) if m.end() > self.i else c)
            self.i = max(m.end(), self.i + 1)
        raise ValueError("unterminated string")

    def key(self) -> str:
        self.ws()
        c = self.s[self.i]
        if c in "'\"":
            return self.string()
        m = _IDENT.match(self.s, self.i) or _NUMBER.match(self.s, self.i)
        if not m:
            raise ValueError(f"bad key at {self.i}")
        self.i = m.end()
        return m.group(0)

    def obj(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        while True:
            self.ws()
            if self.s[self.i] == "}":
                self.i += 1
                return out
            k = self.key()
            self.ws()
            if self.s[self.i] != ":":
                raise ValueError(f"expected ':' at {self.i}")
            self.i += 1
            out[k] = self.value()
            self.ws()
            c = self.s[self.i]
            if c == ",":
                self.i += 1
            elif c != "}":
                raise ValueError(f"expected ',' or '}}' at {self.i}")

    def arr(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        while True:
            self.ws()
            if self.s[self.i] == "]":
                self.i += 1
                return out
            out.append(self.value())
            self.ws()
            c = self.s[self.i]
            if c == ",":
                self.i += 1
            elif c != "]":
                raise ValueError(f"expected ',' or ']' at {self.i}")


def parse_js_value(text: str, pos: int = 0) -> Any:
    try:
        return _Parser(text, pos).value()
    except IndexError:
        raise ValueError("unexpected end") from None


def find_assignment(text: str, target: str) -> Any:
    """The value assigned to `target` (e.g. 'window._CONFIG.DETAIL') in a page's scripts, or None."""
    pat = re.compile(re.escape(target) + r"\s*=\s*")
    for m in pat.finditer(text):
        try:
            return parse_js_value(text, m.end())
        except ValueError:
            continue
    return None
