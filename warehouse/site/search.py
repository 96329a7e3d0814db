"""The site's search index: prebuilt, split into shards the browser loads as scripts (so it works from file://,
where a page may not fetch files).

An entry is [kind, name, context, url] (kind "r" region, "a" agency). Shard k holds every entry whose normalised
name contains a character c with ord(c) % shards == k; a query is answered from the shard of its rarest character
(the smallest shard among its characters), then filtered by substring in the browser. site.js computes the same
normalisation (NFKC, lower case, no spaces) and the same shard function.
"""
from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path

ENTRIES_PER_SHARD = 4000  # ~300 KB of script per shard


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def shard_count(entries: int, per_shard: int = ENTRIES_PER_SHARD) -> int:
    return max(1, min(256, math.ceil(entries / per_shard)))


def write_index(folder: Path, entries: list[list[str]], shards: int | None = None) -> dict[str, object]:
    """Write folder/manifest.js and folder/shard-K.js; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    n = shards or shard_count(len(entries))
    buckets: list[list[list[str]]] = [[] for _ in range(n)]
    for e in entries:
        for k in sorted({ord(c) % n for c in normalise(e[1])}):
            buckets[k].append(e)
    manifest = {"shards": n, "sizes": [len(b) for b in buckets], "entries": len(entries)}
    (folder / "manifest.js").write_text(
        "window.NIANBAO_SEARCH_MANIFEST = " + json.dumps(manifest) + ";\n", encoding="utf-8")
    for k, b in enumerate(buckets):
        (folder / f"shard-{k}.js").write_text(
            f"window.nianbaoSearchShard({k}, " + json.dumps(b, ensure_ascii=False, separators=(",", ":")) + ");\n",
            encoding="utf-8")
    return manifest
