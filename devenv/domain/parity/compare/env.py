"""Environment keys: missing or extra keys, likely renames, source kinds, and non-secret values.

Values are compared only when both are known, neither side is a secret, and the key does not look
sensitive. Wiring (a key named like *_HOST / *_URL / PGHOST / *_ADDRESSES / ENDPOINTS_*, or a value
that is a URL or names a service) is compared by the service it points to (compare/wiring.py), never as
text: hosts and ports differ between dev and prod by design. A rename is claimed only when both keys
carry the same value; a merely similar name is mentioned in the missing key's message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from devenv.domain.parity.compare.wiring import Names, hosts_in, looks_like_wiring_key
from devenv.domain.parity.findings import Finding
from devenv.domain.parity.model import SOURCE_CLASS, EnvVar, SourceKind

_URL_VALUE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
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
RENAME_THRESHOLD = 0.8  # a similar name, mentioned (not claimed) when the values are unknown or differ
SAME_VALUE_THRESHOLD = 0.5  # with the same value, a looser likeness of names is a rename


def looks_like_wiring(key: str) -> bool:
    return looks_like_wiring_key(key)


def _normal(key: str) -> str:
    return "_".join(_SYNONYMS.get(part, part) for part in key.upper().split("_") if part)


def _similarity(prod: EnvVar, dev: EnvVar) -> float:
    return difflib.SequenceMatcher(None, _normal(prod.key), _normal(dev.key)).ratio()


def _same_value(prod: EnvVar, dev: EnvVar, names: Names | None) -> bool:
    """The same text, or (wiring) pointing to the same service."""
    value = prod.comparable_value
    if value is not None and len(value) >= 2 and value == dev.comparable_value:
        return True
    if names is None or not prod.value or not dev.value:
        return False
    target = names.targets(prod.value, prod=True)
    return bool(target) and target == names.targets(dev.value, prod=False)


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
    names: Names | None = None,
) -> Iterator[Finding]:
    missing = [prod[k] for k in sorted(prod) if k not in dev and k not in runtime_keys] if dev_complete else []
    extra = [dev[k] for k in sorted(dev) if k not in prod] if prod_complete else []

    for prod_var, dev_var in _renames(missing, extra, names):
        missing.remove(prod_var)
        extra.remove(dev_var)
        yield Finding(
            "env-likely-renamed",
            service,
            f"prod sets {prod_var.key}, dev sets {dev_var.key} to the same value: the app reads one name, "
            "so one side is wrong",
            dev=dev_var.key,
            prod=prod_var.key,
            keys=(prod_var.key, dev_var.key),
        )
    for var in missing:
        if var.kind is SourceKind.FIELD:
            yield Finding(
                "env-platform-set",
                service,
                f"prod's platform fills in {var.key} ({var.ref or 'a field reference'}): plumbing dev does without",
                dev="(not set)",
                prod=_show(var, None),
                keys=(var.key,),
            )
            continue
        wiring = looks_like_wiring(var.key)
        similar = _similar(var, extra)
        yield Finding(
            "env-wiring-missing-in-dev" if wiring else "env-missing-in-dev",
            service,
            f"prod sets {var.key}"
            + (": it wires the app to another service; dev must set it too" if wiring else "; dev does not")
            + (f" (dev sets the similar {similar.key}: renamed?)" if similar else ""),
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
        yield from _both(service, dev[key], prod[key], names)


def _similar(var: EnvVar, extra: list[EnvVar]) -> EnvVar | None:
    scored = sorted(((_similarity(var, d), d.key, d) for d in extra), key=lambda t: (-t[0], t[1]))
    return scored[0][2] if scored and scored[0][0] >= RENAME_THRESHOLD else None


def _both(service: str, dev: EnvVar, prod: EnvVar, names: Names | None = None) -> Iterator[Finding]:
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
    if names is not None and dev.value and prod.value:
        dev_to, prod_to = names.targets(dev.value, prod=False), names.targets(prod.value, prod=True)
        if dev_to and prod_to:
            if dev_to != prod_to:
                yield Finding(
                    "env-wiring-differs",
                    service,
                    f"{dev.key} points to {', '.join(sorted(dev_to))} in dev but to "
                    f"{', '.join(sorted(prod_to))} in prod",
                    dev=shown["dev"],
                    prod=shown["prod"],
                    keys=keys,
                )
            return
    if dev_value is None or prod_value is None or _is_wiring(dev.key, dev_value, prod_value):
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


def _is_wiring(key: str, *values: str) -> bool:
    """A wiring key, or a value that is a URL or a host:port list: where, not what."""
    if looks_like_wiring(key):
        return True
    return any(_URL_VALUE.match(v) or (":" in v and hosts_in(v) and "," in v) for v in values)


def _renames(missing: list[EnvVar], extra: list[EnvVar], names: Names | None) -> list[tuple[EnvVar, EnvVar]]:
    """Pair a missing prod key with a dev-only key carrying the same value and a similar name."""
    scored = sorted(
        ((_similarity(p, d), p.key, d.key, p, d) for p in missing for d in extra if _same_value(p, d, names)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_prod: set[str] = set()
    used_dev: set[str] = set()
    pairs = []
    for score, prod_key, dev_key, prod_var, dev_var in scored:
        if score < SAME_VALUE_THRESHOLD or prod_key in used_prod or dev_key in used_dev:
            continue
        used_prod.add(prod_key)
        used_dev.add(dev_key)
        pairs.append((prod_var, dev_var))
    return pairs
