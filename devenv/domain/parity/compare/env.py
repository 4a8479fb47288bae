"""Environment keys: missing or extra keys, likely renames, source kinds, and non-secret values.

Values are compared only when both are known, neither side is a secret, and the key does not look
sensitive or like wiring (hosts and URLs differ between dev and prod by design).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from devenv.domain.parity.findings import Finding
from devenv.domain.parity.model import SOURCE_CLASS, EnvVar, SourceKind

_WIRING = re.compile(r"(_HOST|_HOSTNAME|_URL|_URI|_DSN|_ENDPOINT|_ADDR|_ADDRESS)$")
_SYNONYMS = {
    "DB": "DATABASE",
    "PASS": "PASSWORD",
    "PASSWD": "PASSWORD",
    "PWD": "PASSWORD",
    "USER": "USERNAME",
    "ADDR": "ADDRESS",
    "PG": "POSTGRES",
    "POSTGRESQL": "POSTGRES",
    "HOSTNAME": "HOST",
    "URI": "URL",
    "CONN": "CONNECTION",
}
RENAME_THRESHOLD = 0.8


def looks_like_wiring(key: str) -> bool:
    return bool(_WIRING.search(key.upper()))


def _normal(key: str) -> str:
    return "_".join(_SYNONYMS.get(part, part) for part in key.upper().split("_") if part)


def _rename_score(prod: EnvVar, dev: EnvVar) -> float:
    score = difflib.SequenceMatcher(None, _normal(prod.key), _normal(dev.key)).ratio()
    same = prod.comparable_value is not None and prod.comparable_value == dev.comparable_value
    if same and len(prod.comparable_value or "") >= 4:
        score = max(score, 0.9)
    return score


def _show(var: EnvVar, other: EnvVar | None) -> str:
    """Display one side; if the other side treats the key as secret, this side shows its kind only."""
    if other is not None and SourceKind.SECRET in {var.kind, other.kind}:
        return f"{var.kind}" + (f" ({var.ref})" if var.ref else "")
    return var.display()


def compare_env(
    service: str,
    dev: Mapping[str, EnvVar],
    prod: Mapping[str, EnvVar],
    *,
    runtime_keys: frozenset[str] = frozenset(),
    dev_complete: bool = True,
    prod_complete: bool = True,
) -> Iterator[Finding]:
    missing = [prod[k] for k in sorted(prod) if k not in dev and k not in runtime_keys] if dev_complete else []
    extra = [dev[k] for k in sorted(dev) if k not in prod] if prod_complete else []

    for prod_var, dev_var in _renames(missing, extra):
        missing.remove(prod_var)
        extra.remove(dev_var)
        yield Finding(
            "env-likely-renamed",
            service,
            f"prod sets {prod_var.key}, dev sets {dev_var.key}: the app reads one name, so one side is wrong",
            dev=dev_var.key,
            prod=prod_var.key,
            keys=(prod_var.key, dev_var.key),
        )
    for var in missing:
        wiring = looks_like_wiring(var.key)
        yield Finding(
            "env-wiring-missing-in-dev" if wiring else "env-missing-in-dev",
            service,
            f"prod sets {var.key}"
            + (": it wires the app to another service; dev must set it too" if wiring else "; dev does not"),
            dev="(not set)",
            prod=_show(var, None),
            keys=(var.key,),
        )
    for var in extra:
        yield Finding(
            "env-only-in-dev",
            service,
            f"dev sets {var.key}; prod does not (a dev-only switch, or a key prod forgot?)",
            dev=_show(var, None),
            prod="(not set)",
            keys=(var.key,),
        )
    for key in sorted(set(dev) & set(prod)):
        yield from _both(service, dev[key], prod[key])


def _both(service: str, dev: EnvVar, prod: EnvVar) -> Iterator[Finding]:
    dev_class, prod_class = SOURCE_CLASS[dev.kind], SOURCE_CLASS[prod.kind]
    shown = {"dev": _show(dev, prod), "prod": _show(prod, dev)}
    keys = (dev.key,)
    if dev_class != prod_class and "secret" in {dev_class, prod_class}:
        secret_side = "prod" if prod_class == "secret" else "dev"
        yield Finding(
            "env-secret-mismatch",
            service,
            f"{dev.key} is a secret in {secret_side} only: handle it the same way on both sides",
            dev=shown["dev"],
            prod=shown["prod"],
            keys=keys,
        )
        return
    if dev_class != prod_class:
        yield Finding(
            "env-source-differs",
            service,
            f"{dev.key} comes from {dev.kind} in dev but {prod.kind} in prod",
            dev=shown["dev"],
            prod=shown["prod"],
            keys=keys,
        )
        return
    dev_value, prod_value = dev.comparable_value, prod.comparable_value
    if dev_value is None or prod_value is None or looks_like_wiring(dev.key):
        return
    if dev_value != prod_value:
        yield Finding(
            "env-value-differs",
            service,
            f"{dev.key} has a different value in dev than in prod",
            dev=shown["dev"],
            prod=shown["prod"],
            keys=keys,
        )


def _renames(missing: list[EnvVar], extra: list[EnvVar]) -> list[tuple[EnvVar, EnvVar]]:
    """Pair each missing prod key with its most similar dev-only key, best matches first, one-to-one."""
    scored = sorted(
        ((_rename_score(p, d), p.key, d.key, p, d) for p in missing for d in extra),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_prod: set[str] = set()
    used_dev: set[str] = set()
    pairs = []
    for score, prod_key, dev_key, prod_var, dev_var in scored:
        if score < RENAME_THRESHOLD or prod_key in used_prod or dev_key in used_dev:
            continue
        used_prod.add(prod_key)
        used_dev.add(dev_key)
        pairs.append((prod_var, dev_var))
    return pairs
