"""The ground floor: the contract every stage shares, and nothing else.

- sniff.py    document kinds (one vocabulary, owned by the sniffer) and how they are told from the bytes
- records.py  the records that cross a stage boundary: manifest row, portal record, extraction result
- layout.py   the data directory: where raw bodies, runs, caches, state, the warehouse and exports live
- titles.py   the one title grammar (report titles, the 年报 column, navigation, pagination, dates)
- decode.py   bytes to text for pages whose charset declarations cannot be trusted
- cells.py    the canonical cell keys (cells.csv, a public contract)
- bundled.py  the bundled data files (cells, divisions, portals) through importlib.resources
- errors.py   the error whose message is enough for the user

Nothing here imports a stage (crawlers, extract, warehouse), the flows or the command line.
"""
