"""This machine's TCP ports: is one free, and which process holds it (ctx.host_ports).

Free means devenv can bind it on every interface, IPv4 and IPv6, as Docker's port publishing does.
The holder is read from /proc/net/tcp{,6} and /proc/*/fd on Linux, when that process is visible to us
(another user's processes are not, unless we are root); elsewhere the holder stays unknown.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from devenv.domain.stack.ports import Holder, listening_inodes, proxy_target

# "cannot bind" errors that say nothing about the port: no IPv6 on this machine, and the like
_NOT_ABOUT_THE_PORT = {errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, errno.EPROTONOSUPPORT}


class HostPorts:
    def __init__(self, proc: Path = Path("/proc")) -> None:
        self.proc = proc

    def busy(self, port: int) -> bool:
        """True when something on this machine holds the port (a bind on all interfaces fails)."""
        for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            try:
                with socket.socket(family, socket.SOCK_STREAM) as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "busy"
                    if family == socket.AF_INET6:
                        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    sock.bind((address, port))
            except OSError as exc:
                if exc.errno in _NOT_ABOUT_THE_PORT:
                    continue
                return True
        return False

    def holder(self, port: int) -> Holder | None:
        """Who holds a busy port: the listening process and its pid when visible, else `unknown`;
        None when the port is free."""
        if not self.busy(port):
            return None
        return self._process(port) or Holder("unknown")

    def _process(self, port: int) -> Holder | None:
        inodes: set[int] = set()
        for table in ("tcp", "tcp6"):
            try:
                inodes |= listening_inodes((self.proc / "net" / table).read_text(), port)
            except OSError:
                continue
        if not inodes:
            return None
        wanted = {f"socket:[{inode}]" for inode in inodes}
        try:
            pids = [entry for entry in os.listdir(self.proc) if entry.isdigit()]
        except OSError:
            return None
        for pid in pids:
            fd_dir = self.proc / pid / "fd"
            try:
                fds = os.listdir(fd_dir)
            except OSError:
                continue  # gone, or another user's
            for fd in fds:
                try:
                    target = os.readlink(fd_dir / fd)
                except OSError:
                    continue
                if target in wanted:
                    return self._described(int(pid))
        return None

    def _described(self, pid: int) -> Holder:
        base = self.proc / str(pid)
        try:
            name = (base / "comm").read_text().strip()
        except OSError:
            name = "?"
        detail = ""
        if name == "docker-proxy":
            try:
                detail = proxy_target((base / "cmdline").read_text().split("\0"))
            except OSError:
                detail = ""
        return Holder("process", name=name, pid=pid, detail=detail)
