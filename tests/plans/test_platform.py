"""Reading os-release and naming the platform: pure parsing and classification."""

from __future__ import annotations

import pytest

from devenv.domain.doctor.platform import Family, classify_linux, normalise_arch, parse_os_release, version_tuple

MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.3"\nUBUNTU_CODENAME=jammy\n'


def test_parse_os_release_handles_quotes_and_comments() -> None:
    fields = parse_os_release("# comment\nID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nX='a b'\n\n")
    assert fields == {"ID": "debian", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "X": "a b"}


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("ID=debian", Family.DEBIAN),
        ("ID=ubuntu\nID_LIKE=debian", Family.DEBIAN),
        (MINT, Family.DEBIAN),
        ("ID=fedora", Family.FEDORA),
        ('ID="rhel"\nID_LIKE="fedora"', Family.RHEL),
        ('ID="centos"\nID_LIKE="rhel fedora"', Family.RHEL),
        ('ID="almalinux"\nID_LIKE="rhel centos fedora"', Family.RHEL),
        ("ID=arch", Family.ARCH),
        ("ID=manjaro\nID_LIKE=arch", Family.ARCH),
        ("ID=alpine", Family.UNSUPPORTED),
        ("", Family.UNSUPPORTED),
    ],
)
def test_classify(text: str, family: Family) -> None:
    assert classify_linux(parse_os_release(text)) is family


def test_derivatives_use_the_upstream_docker_repository_and_codename() -> None:
    from devenv.domain.doctor.platform import linux_platform

    mint = linux_platform(parse_os_release(MINT), machine="x86_64")
    assert (mint.repo_distro, mint.codename, mint.deb_arch) == ("ubuntu", "jammy", "amd64")


def test_arch_and_versions() -> None:
    assert normalise_arch("aarch64") == "arm64" and normalise_arch("AMD64") == "x86_64"
    assert version_tuple("v2.24.6-desktop.1") == (2, 24, 6)
    assert version_tuple("20.10.24+dfsg1") == (20, 10, 24)
    assert version_tuple("1.41") == (1, 41) and version_tuple("") == ()
