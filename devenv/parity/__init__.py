"""Parity: the dev stack checked against production manifests.

Readers turn each production format (and the dev compose file) into one normalised model
(`model.py`); `mapping.py` pairs dev services with prod workloads; `findings/` compares each pair;
`allow.py` applies the team's allow-list; `report.py` is what a caller gets back. Only `loader.py`
reads files and only `runtime.py` talks to the engine: everything else is pure.
"""
