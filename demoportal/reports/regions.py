"""Regions of agencies, from core/data/divisions.csv (an agency's name → its division code)."""
from __future__ import annotations

import functools

from core.bundled import division_rows


@functools.lru_cache(maxsize=None)
def _division_prefixes() -> dict[str, tuple[str, str, str, str] | None]:
    """prefix text -> (province, city, county, code); None when the prefix is ambiguous."""
    out: dict[str, tuple[str, str, str, str] | None] = {}

    def put(prefix: str, value: tuple[str, str, str, str]) -> None:
        if not prefix:
            return
        if prefix in out and out[prefix] != value:
            out[prefix] = None
        else:
            out[prefix] = value

    for r in division_rows():
        prov, city, name, level, code = r["province"], r["city"], r["name"], r["level"], r["code"]
        if level == "province":
            put(prov, (prov, "", "", code))
        elif level == "city":
            put(prov + name, (prov, name, "", code))
            put(name, (prov, name, "", code))
        else:
            val = (prov, city, name, code)
            put(prov + city + name, val)
            if city:
                put(city + name, val)
            else:
                put(prov + name, val)
            put(name, val)
    return out


def _region_parts(agency: str | None) -> tuple[str, str, str, str] | None:
    if not agency:
        return None
    table = _division_prefixes()
    for n in range(min(len(agency), 24), 1, -1):
        hit = table.get(agency[:n], False)
        if hit:
            return hit
    return None


def region_for_agency(agency: str | None) -> str | None:
    """'达州市通川区财政局' -> '四川省达州市通川区' (None when unknown or ambiguous)."""
    parts = _region_parts(agency)
    if not parts:
        return None
    return parts[0] + parts[1] + parts[2]
