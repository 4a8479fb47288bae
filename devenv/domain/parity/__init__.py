"""Parity: the dev stack checked against production manifests. Pure: no file I/O, no engine.

Readers (`readers/`) turn each production format (and the dev compose file, env files, Dockerfiles)
from parsed documents or text into one normalised model (`model.py`); `mapping.py` pairs dev services
with prod workloads; `compare/` compares each pair; `allow.py` applies the team's allow-list;
`report.py` is what a caller gets back; `runtime.py` builds the view of what runs from what the engine
adapter inspected. devenv.adapters.manifests reads the files (and renders Jinja2 templates);
devenv.usecases.parity puts the pieces together.
"""
