"""Facts about this machine: OS, architecture, init system, installed packages, tools, disk, ports.

Everything is read through the process runner (so tests change PATH, not code) or the filesystem.
Nothing here decides anything: devenv.domain classifies and plans.
"""

from __future__ import annotations

import os
import platform as pyplatform
import shutil
import socket
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from devenv.adapters.process import ProcessRunner
from devenv.domain.doctor.platform import (
    OS,
    RELEVANT_COMMANDS,
    RELEVANT_PACKAGES,
    Family,
    Platform,
    classify_linux,
    linux_platform,
    macos_platform,
    parse_os_release,
)
from devenv.errors import EnvironmentProblem

MAC_APPS = {"Docker": "Docker.app", "OrbStack": "OrbStack.app", "Rancher Desktop": "Rancher Desktop.app"}


@dataclass(frozen=True)
class GroupFacts:
    exists: bool
    member: bool  # the user is listed in the group (or it is their primary group)
    in_session: bool  # this process already has the group


class System:
    def __init__(
        self,
        runner: ProcessRunner,
        *,
        root: Path = Path("/"),
        system: str | None = None,
        machine: str | None = None,
    ) -> None:
        """`root` is where /etc, /run and /proc are read from (tests point it at a fake machine)."""
        self.runner = runner
        self.root = root
        self._system = system or pyplatform.system()
        self._machine = machine or pyplatform.machine()

    @property
    def env(self) -> dict[str, str]:
        return dict(self.runner.env)

    @cached_property
    def platform(self) -> Platform:
        commands = frozenset(c for c in RELEVANT_COMMANDS if self.runner.which(c))
        user = _user_name()
        home = self.env.get("HOME") or str(Path.home())
        if self._system == "Darwin":
            return self._macos(commands, user, home)
        if self._system != "Linux":
            return Platform(os=OS.OTHER, arch=self._machine, pretty=self._system, user=user, home=home)
        fields = parse_os_release(self._read_os_release())
        family = classify_linux(fields)
        return linux_platform(
            fields,
            machine=self._machine,
            has_systemd=(self.root / "run/systemd/system").is_dir(),
            has_sysv_docker=(self.root / "etc/init.d/docker").exists(),
            is_root=os.geteuid() == 0,
            user=user,
            home=home,
            wsl=self._is_wsl(),
            commands=commands,
            packages=self._linux_packages(family),
        )

    def _read_os_release(self) -> str:
        for path in (self.root / "etc/os-release", self.root / "usr/lib/os-release"):
            try:
                return path.read_text(encoding="utf-8")
            except OSError:
                continue
        return ""

    def _linux_packages(self, family: Family) -> frozenset[str]:
        names = RELEVANT_PACKAGES.get(family, ())
        if not names:
            return frozenset()
        found: set[str] = set()
        if family is Family.DEBIAN and self.runner.which("dpkg-query"):
            done = self.runner.run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", *names])
            for line in done.stdout.splitlines():
                name, _, status = line.partition(" ")
                if status.strip() == "installed":
                    found.add(name.split(":")[0])
        elif family in (Family.FEDORA, Family.RHEL) and self.runner.which("rpm"):
            done = self.runner.run(["rpm", "-q", "--qf", "%{NAME}\\n", *names])
            found.update(line.strip() for line in done.stdout.splitlines() if line.strip() in names)
        elif family is Family.ARCH and self.runner.which("pacman"):
            done = self.runner.run(["pacman", "-Q", *names])
            found.update(line.split()[0] for line in done.stdout.splitlines() if line.split())
        return frozenset(found & set(names))

    def _macos(self, commands: frozenset[str], user: str, home: str) -> Platform:
        version = self._output(["sw_vers", "-productVersion"]) or ""
        # a Python running under Rosetta reports x86_64; the hardware flag tells the truth
        arm64 = self._machine == "arm64" or (self._output(["sysctl", "-n", "hw.optional.arm64"]) or "") == "1"
        packages: set[str] = set()
        brew = self.runner.which("brew")
        if brew:
            for kind in ("--formula", "--cask"):
                listed = self._output([brew, "list", kind, "-1"]) or ""
                packages.update(listed.split())
        apps = frozenset(
            name
            for name, bundle in MAC_APPS.items()
            if Path("/Applications", bundle).exists() or Path(home, "Applications", bundle).exists()
        )
        wanted = set(RELEVANT_PACKAGES[Family.MACOS])
        return macos_platform(
            version=version,
            arm64=arm64,
            user=user,
            home=home,
            commands=commands,
            packages=frozenset(packages & wanted),
            apps=apps,
            brew_prefix=str(Path(brew).resolve().parent.parent) if brew else None,
        )

    def _is_wsl(self) -> bool:
        try:
            return "microsoft" in (self.root / "proc/sys/kernel/osrelease").read_text(encoding="utf-8").lower()
        except OSError:
            return False

    def refresh(self) -> None:
        """Forget the gathered platform (after a plan installed packages)."""
        self.__dict__.pop("platform", None)

    # ------------------------------------------------------------------------------------------ tools

    def _output(self, argv: list[str], timeout: float = 30) -> str | None:
        """stdout of a command that succeeded, stripped; None when it is missing, fails or hangs."""
        if not self.runner.which(argv[0]):
            return None
        try:
            done = self.runner.run(argv, timeout=timeout)
        except EnvironmentProblem:
            return None
        return done.stdout.strip() if done.ok else None

    def docker_cli_version(self) -> str | None:
        out = self._output(["docker", "--version"])  # client only: answers without an engine
        if out is None:
            return None
        # "Docker version 28.2.2, build e6534b4"
        words = out.replace(",", " ").split()
        return words[2] if len(words) > 2 and words[1] == "version" else out

    def compose_version(self) -> str | None:
        if not self.runner.which("docker"):
            return None
        out = self._output(["docker", "compose", "version", "--short"])
        if not out:
            return None
        version = out.splitlines()[-1].strip().lstrip("v")
        return version if version[:1].isdigit() else None

    def compose_v1_version(self) -> str | None:
        out = self._output(["docker-compose", "version", "--short"])
        return out if out and out.startswith("1.") else None

    def git_version(self) -> str | None:
        out = self._output(["git", "--version"])  # "git version 2.39.5"
        return out.split()[2] if out and len(out.split()) > 2 else None

    # ------------------------------------------------------------------------------------------ machine

    def disk_free(self, path: str) -> tuple[str, int | None]:
        """Free bytes at `path` or its nearest existing parent (which is what gets reported)."""
        where = Path(path)
        while not where.exists() and where != where.parent:
            where = where.parent
        try:
            return str(where), shutil.disk_usage(where).free
        except OSError:
            return str(where), None

    def docker_group(self) -> GroupFacts:
        import grp
        import pwd

        try:
            group = grp.getgrnam("docker")
        except KeyError:
            return GroupFacts(exists=False, member=False, in_session=False)
        try:
            entry = pwd.getpwuid(os.geteuid())
            member = entry.pw_name in group.gr_mem or entry.pw_gid == group.gr_gid
        except KeyError:
            member = False
        in_session = group.gr_gid in os.getgroups() or os.getegid() == group.gr_gid
        return GroupFacts(exists=True, member=member, in_session=in_session)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on the port, or it cannot be bound on all interfaces."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def _user_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER", "")
