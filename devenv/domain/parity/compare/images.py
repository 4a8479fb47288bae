"""Images: backing-service engine and version drift, first-party image tags, floating tags, variants,
and "deploy what you tested" digests.

Which dev image is compared: for a backing service (a known engine), the compose `image:` when dev pulls
it, and when dev builds, the Dockerfile's base image (its FROM). For a first-party image (no known
engine), the tag dev declares - `image:` beside `build:`, or the `devenv.image` label devenv renders -
against prod's tag of the same repository (registries aside: dev `acme/user`, prod `<ecr>/acme/user`).
"""

from __future__ import annotations

from collections.abc import Iterator

from devenv.domain.parity.config import External
from devenv.domain.parity.findings import Finding
from devenv.domain.parity.images import ImageRef, Version, normalise_engine, parse_version, variant
from devenv.domain.parity.mapping import Pair
from devenv.domain.parity.model import RuntimeView, Workload


def dev_image(dev: Workload) -> ImageRef | None:
    main = dev.main
    return main.base_image if main.built else main.image


def _dev_label(dev: Workload) -> str:
    image = dev_image(dev)
    if image is None:
        return "built locally (base image unreadable)"
    return f"{image} (base of the build)" if dev.main.built else str(image)


def compare_pair_images(pair: Pair, runtime: RuntimeView | None) -> Iterator[Finding]:
    prod = pair.container.image
    if prod is None:
        return
    if prod.digest:
        yield from _digest(pair, prod, runtime)
    engine = prod.engine
    dev = dev_image(pair.dev)
    if engine is None and (dev is None or dev.engine is None):
        yield from _first_party(pair.service, pair.dev.main.image, prod, dev_label=_dev_label(pair.dev))
        return
    yield from _engine_and_version(pair.service, pair.dev, engine, prod=prod, prod_label=str(prod))


def _same_repository(dev: ImageRef, prod: ImageRef) -> bool:
    """The same image, wherever it is pushed: the repository path's last component (a registry or an
    organisation prefix in front of it is where, not what)."""
    return dev.name == prod.name


def _first_party(service: str, dev: ImageRef | None, prod: ImageRef, *, dev_label: str) -> Iterator[Finding]:
    """An image the team builds: the tag dev declares against the tag prod deploys."""
    comparable = dev is not None and not dev.templated and not prod.templated and _same_repository(dev, prod)
    if dev is None or not comparable:
        if prod.floating and not prod.digest:
            yield Finding(
                "tag-floating",
                service,
                f"prod's image {prod} pins no version; what prod runs cannot be compared",
                dev=dev_label,
                prod=str(prod),
            )
        return
    dev_tag, prod_tag = dev.tag or "latest", prod.tag or "latest"
    if dev_tag == prod_tag or (prod.digest and not prod.tag):
        return
    shown = (str(dev), str(prod))
    if prod.floating and not prod.digest:
        yield Finding(
            "tag-floating",
            service,
            f"prod runs :{prod_tag}, dev :{dev_tag}: which version prod runs cannot be read from the manifest",
            dev=shown[0],
            prod=shown[1],
        )
    elif dev.floating:
        yield Finding(
            "tag-floating",
            service,
            f"dev's tag :{dev_tag} floats; prod pins :{prod_tag}: dev may not run what prod runs",
            dev=shown[0],
            prod=shown[1],
        )
    elif dev.version == prod.version and variant(dev.tag) != variant(prod.tag):
        yield _variant_finding(service, dev, prod)
    else:
        yield Finding(
            "image-tag-differs",
            service,
            f"{prod.name} :{dev_tag} in dev vs :{prod_tag} in prod: dev does not run the code prod runs",
            dev=shown[0],
            prod=shown[1],
        )


def _variant_finding(service: str, dev: ImageRef, prod: ImageRef) -> Finding:
    def words(ref: ImageRef) -> str:
        return "-".join(sorted(variant(ref.tag))) or "the plain image"

    return Finding(
        "image-variant-differs",
        service,
        f"the same version in another variant ({words(dev)} in dev, {words(prod)} in prod): "
        "base system or bundled plugins differ",
        dev=str(dev),
        prod=str(prod),
    )


def compare_external(service: str, dev: Workload, external: External) -> Iterator[Finding]:
    engine = normalise_engine(external.engine)
    declared = f"external {engine}" + (f" {external.version}" if external.version else "")
    if external.version is None:
        yield Finding(
            "version-unknown",
            service,
            "declared external without a version: version drift cannot be checked",
            dev=_dev_label(dev),
            prod=declared,
        )
    version = parse_version(external.version)
    yield from _engine_and_version(service, dev, engine, prod=None, prod_label=declared, declared=version)


def _engine_and_version(
    service: str,
    dev_workload: Workload,
    engine: str | None,
    *,
    prod: ImageRef | None,
    prod_label: str,
    declared: Version | None = None,
) -> Iterator[Finding]:
    dev = dev_image(dev_workload)
    dev_label = _dev_label(dev_workload)
    if dev is None or dev.templated:
        yield Finding(
            "version-unknown",
            service,
            "dev's image (or the base image it builds from) cannot be read, so its version is unknown",
            dev=dev_label,
            prod=prod_label,
        )
        return
    if engine is None or dev.engine is None:
        side = "prod" if engine is None else "dev"
        yield Finding(
            "version-unknown",
            service,
            f"{side}'s image is not a known {dev.engine or engine} image: engine and version not compared",
            dev=dev_label,
            prod=prod_label,
        )
        return
    if dev.engine != engine:
        yield Finding(
            "engine-differs",
            service,
            f"dev runs {dev.engine}, prod runs {engine}: behaviour and SQL/commands can differ",
            dev=dev_label,
            prod=prod_label,
        )
        return
    prod_version = declared if prod is None else prod.version
    if prod is not None and prod_version is None:
        if prod.floating:
            yield Finding(
                "tag-floating",
                service,
                f"prod's tag for {engine} floats (no version in it): drift cannot be checked",
                dev=dev_label,
                prod=prod_label,
            )
        else:
            yield Finding(
                "version-unknown",
                service,
                f"prod pins {engine} by digest only: its version cannot be read from the manifest",
                dev=dev_label,
                prod=prod_label,
            )
        return
    dev_version = dev.version
    if dev_version is None:
        yield Finding(
            "tag-floating",
            service,
            f"dev's tag for {engine} floats (no version in it): drift from prod cannot be checked",
            dev=dev_label,
            prod=prod_label,
        )
        return
    if prod_version is None:
        return
    if dev_version.major != prod_version.major:
        yield Finding(
            "version-major-drift",
            service,
            f"{engine} {dev_version} in dev vs {prod_version} in prod: a major version apart",
            dev=dev_label,
            prod=prod_label,
        )
    elif prod_version.minor is not None and dev_version.minor is None:
        yield Finding(
            "tag-floating",
            service,
            f"dev's tag {dev.tag} floats across minor releases; prod pins {prod_version}",
            dev=dev_label,
            prod=prod_label,
        )
    elif prod_version.minor is not None and dev_version.minor != prod_version.minor:
        yield Finding(
            "version-minor-drift",
            service,
            f"{engine} {dev_version} in dev vs {prod_version} in prod",
            dev=dev_label,
            prod=prod_label,
        )
    elif prod is not None and variant(dev.tag) != variant(prod.tag):
        yield _variant_finding(service, dev, prod)


def _digest(pair: Pair, prod: ImageRef, runtime: RuntimeView | None) -> Iterator[Finding]:
    digest = prod.digest or ""
    pinned = pair.dev.main.image
    if pinned is not None and pinned.digest and not pair.dev.main.built:
        if pinned.digest != digest:
            yield Finding(
                "digest-differs",
                pair.service,
                "dev pins a different image digest than prod: not what prod runs",
                dev=str(pinned),
                prod=str(prod),
            )
        return
    running = runtime.services.get(pair.service) if runtime else None
    if running is None:
        why = (runtime.problem if runtime else None) or "the dev stack is not running"
        yield Finding(
            "digest-unchecked",
            pair.service,
            f"prod pins a digest; what dev runs could not be inspected ({why})",
            dev=str(pair.dev.main.image) if pair.dev.main.image else "built locally",
            prod=str(prod),
        )
        return
    if not running.runs_digest(digest):
        yield Finding(
            "digest-differs",
            pair.service,
            "the image running in dev is not the digest prod pins: deploy what you tested",
            dev=f"image {running.image_id[:19]}" + (f" ({running.repo_digests[0]})" if running.repo_digests else ""),
            prod=str(prod),
        )
