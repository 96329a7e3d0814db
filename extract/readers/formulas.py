"""Spreadsheet formulas whose result the file does not carry, computed by a small safe evaluator.

A workbook written by a program (openpyxl, some report generators) stores `=SUM(B5:G5)` without the cached value
Excel would have saved; read as values, such a total is empty.  Reports print their totals that way, so an empty
total would make a report whose figures nobody checked.  This evaluator computes what such totals need and nothing
more: numbers, cell references (A1, $A$1, Sheet1!A1, 'Sheet 1'!A1), ranges inside SUM, + - * /, unary minus,
parentheses, and SUM over any mix of those.  It never runs macros, calls no function other than SUM, follows no
external link ([1]Sheet1!A1), and stops at cycles, deep chains and huge ranges: such a formula is reported as not
computed, with the reason, and its cell stays empty (null), never 0.
"""
from __future__ import annotations

import re
from collections.abc import Callable

MAX_FORMULA = 2000  # characters
MAX_RANGE = 10_000  # cells in one range
MAX_DEPTH = 50  # formulas referring to formulas

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff.]*)!)?\$?[A-Za-z]{1,3}\$?\d{1,7}"
    r"(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?)"
    r"|(?P<func>[A-Za-z][A-Za-z0-9.]*)\s*\("
    r"|(?P<op>[-+*/(),]))")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


class FormulaError(ValueError):
    """A formula this evaluator will not compute (the message says why)."""


def cell_index(ref: str) -> tuple[int, int]:
    """'B5' -> (4, 1): zero-based row and column."""
    m = _CELL.fullmatch(ref)
    if not m:
        raise FormulaError(f"bad reference {ref}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _tokens(formula: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = formula.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError(f"cannot read {text[pos:pos + 12]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


# A cell's value for a formula: a number, None (empty), or a string (text).
Lookup = Callable[[str | None, int, int], object]


class Evaluator:
    """Evaluates one formula; `lookup(sheet, row, col)` gives other cells' values (computing them if needed)."""

    def __init__(self, formula: str, sheet: str, lookup: Lookup):
        if len(formula) > MAX_FORMULA:
            raise FormulaError("formula too long")
        text = formula[1:] if formula.startswith("=") else formula
        if "[" in text:
            raise FormulaError("external reference")
        self.toks = _tokens(text)
        self.i = 0
        self.sheet = sheet
        self.lookup = lookup

    def run(self) -> float:
        value = self._expr()
        if self.i != len(self.toks):
            raise FormulaError(f"unexpected {self.toks[self.i][1]!r}")
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _take(self) -> tuple[str, str]:
        tok = self._peek()
        if tok is None:
            raise FormulaError("formula ends too early")
        self.i += 1
        return tok

    def _expr(self) -> float:
        value = self._term()
        while (tok := self._peek()) in (("op", "+"), ("op", "-")):
            self.i += 1
            right = self._term()
            value = value + right if tok[1] == "+" else value - right
        return value

    def _term(self) -> float:
        value = self._factor()
        while (tok := self._peek()) in (("op", "*"), ("op", "/")):
            self.i += 1
            right = self._factor()
            if tok[1] == "/":
                if right == 0:
                    raise FormulaError("division by zero")
                value = value / right
            else:
                value = value * right
        return value

    def _factor(self) -> float:
        kind, text = self._take()
        if kind == "op" and text in "+-":
            value = self._factor()
            return -value if text == "-" else value
        if kind == "num":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "op" and text == "(":
            value = self._expr()
            if self._take() != ("op", ")"):
                raise FormulaError("missing )")
            return value
        if kind == "ref":
            if ":" in text:
                raise FormulaError("a range outside SUM")
            return self._number(*self._ref(text))
        if kind == "func":
            if text.upper() != "SUM":
                raise FormulaError(f"function {text.upper()} is not computed")
            return self._sum()
        raise FormulaError(f"unexpected {text!r}")

    def _sum(self) -> float:
        total: float = 0
        if self._peek() == ("op", ")"):
            self.i += 1
            return total
        while True:
            tok = self._peek()
            if tok and tok[0] == "ref" and ":" in tok[1]:
                self.i += 1
                for value in self._range(tok[1]):
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        total += value  # SUM skips empty cells and text, as spreadsheets do
            else:
                total += self._expr()
            sep = self._take()
            if sep == ("op", ")"):
                return total
            if sep != ("op", ","):
                raise FormulaError("bad SUM arguments")

    def _ref(self, text: str) -> tuple[str | None, str]:
        if "!" in text:
            sheet, cell = text.rsplit("!", 1)
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            return sheet, cell
        return self.sheet, text

    def _range(self, text: str):
        sheet, cells = self._ref(text)
        a, b = cells.split(":")
        (r0, c0), (r1, c1) = cell_index(a), cell_index(b)
        r0, r1 = min(r0, r1), max(r0, r1)
        c0, c1 = min(c0, c1), max(c0, c1)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_RANGE:
            raise FormulaError("range too large")
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                yield self.lookup(sheet, r, c)

    def _number(self, sheet: str | None, cell: str) -> float:
        value = self.lookup(sheet, *cell_index(cell))
        if value is None or value == "":
            return 0  # an empty cell is 0 in arithmetic
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value
        try:
            s = str(value).strip().replace(",", "")
            return float(s) if "." in s else int(s)
        except ValueError:
            raise FormulaError(f"{cell} holds text") from None


class Workbook:
    """The cell values of a workbook's sheets and the formulas that lack a result; computes those on demand."""

    def __init__(self, values: dict[str, dict[tuple[int, int], object]], formulas: dict[str, dict[tuple[int, int], str]]):
        self.values = values  # sheet -> (row, col) -> cached value (None when the file has none)
        self.formulas = formulas  # sheet -> (row, col) -> formula text, for cells without a cached value
        self.done: dict[tuple[str, int, int], object] = {}
        self.failed: dict[tuple[str, int, int], str] = {}
        self._active: set[tuple[str, int, int]] = set()

    def value(self, sheet: str | None, row: int, col: int, depth: int = 0) -> object:
        if sheet not in self.values:
            raise FormulaError(f"no sheet {sheet!r}")
        key = (sheet, row, col)
        formula = self.formulas.get(sheet, {}).get((row, col))
        if formula is None:
            return self.values[sheet].get((row, col))
        if key in self.done:
            return self.done[key]
        if key in self.failed:
            raise FormulaError(f"depends on {cell_name(row, col)}, which is not computed")
        if key in self._active:
            raise FormulaError("circular reference")
        if depth > MAX_DEPTH:
            raise FormulaError("formulas nested too deep")
        self._active.add(key)
        try:
            result = Evaluator(formula, sheet, lambda s, r, c: self.value(s, r, c, depth + 1)).run()
        except FormulaError as exc:
            self.failed[key] = str(exc)
            raise
        finally:
            self._active.discard(key)
        if isinstance(result, float) and result.is_integer() and abs(result) < 1e15:
            result = int(result)
        self.done[key] = result
        return result

    def compute_all(self) -> None:
        for sheet, cells in self.formulas.items():
            for (row, col) in cells:
                try:
                    self.value(sheet, row, col)
                except FormulaError as exc:
                    self.failed.setdefault((sheet, row, col), str(exc))


def cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
