"""Platforms for golden plans: each a value as the system adapter would gather it."""

from __future__ import annotations

from dataclasses import replace

from devenv.domain.doctor.platform import Platform, linux_platform, macos_platform, parse_os_release

LINUX_TOOLS = frozenset({"sudo", "systemctl", "service", "curl", "git", "sha256sum"})


def _linux(os_release: str, machine: str = "x86_64", **kw: object) -> Platform:
    base = linux_platform(
        parse_os_release(os_release),
        machine=machine,
        has_systemd=True,
        user="dev",
        home="/home/dev",
        commands=LINUX_TOOLS,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


DEBIAN_12 = _linux(
    'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
)
DEBIAN_13 = _linux('ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\nPRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n')
UBUNTU_2404 = _linux(
    'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nUBUNTU_CODENAME=noble\n'
    'PRETTY_NAME="Ubuntu 24.04 LTS"\n',
    machine="aarch64",
)
FEDORA_41 = _linux('ID=fedora\nVERSION_ID=41\nPRETTY_NAME="Fedora Linux 41 (Workstation Edition)"\n')
FEDORA_40 = _linux('ID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40"\n')
RHEL_9 = _linux('ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n')
ROCKY_9 = _linux('ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3"\n')
ARCH = _linux('ID=arch\nPRETTY_NAME="Arch Linux"\n')
MAC_ARM = macos_platform(
    version="14.5", arm64=True, user="dev", home="/Users/dev", commands=frozenset({"brew", "git", "curl"})
)
MAC_INTEL = macos_platform(
    version="13.6", arm64=False, user="dev", home="/Users/dev", commands=frozenset({"brew", "git", "curl"})
)
