"""A Docker endpoint on tcp with TLS, for tests: certificates made with openssl, and a TLS listener.

The listener is written here, in Python: it terminates TLS (client certificate required, as
`dockerd --tlsverify` does) and relays each connection to the local engine's unix socket. The engine
that is already running is shared by every engineer and cannot be restarted to add
`-H tcp://127.0.0.1:2376 --tlsverify`; scripts/engine.sh has that start line for CI machines that want
a real one (DEVENV_ENGINE_TLS=1).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.stack import free_port

ENGINE_SOCKET = "/var/run/docker.sock"


def make_certs(folder: Path) -> Path:
    """A CA, a server certificate for 127.0.0.1/localhost, and a client certificate: DOCKER_CERT_PATH layout
    (ca.pem, cert.pem, key.pem) plus server-cert.pem and server-key.pem."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
        "-keyout", "ca-key.pem", "-out", "ca.pem",
    )  # fmt: skip
    for name, subject, ext in (
        ("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
        ("client", "/CN=client", "extendedKeyUsage=clientAuth\n"),
    ):
        (folder / f"{name}.ext").write_text(ext)
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            subject,
            "-keyout",
            f"{name}-key.pem",
            "-out",
            f"{name}.csr",
        )
        openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}-cert.pem",
        )  # fmt: skip
    (folder / "cert.pem").write_bytes((folder / "client-cert.pem").read_bytes())
    (folder / "key.pem").write_bytes((folder / "client-key.pem").read_bytes())
    return folder


@dataclass
class TlsEndpoint:
    url: str
    certs: Path
    env: dict[str, str]  # DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH
    handshakes: list[str]  # one entry per accepted TLS connection: proof the client spoke TLS to it


@contextmanager
def tls_listener(folder: Path) -> Iterator[TlsEndpoint]:
    certs = make_certs(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "server-cert.pem", certs / "server-key.pem")
    context.load_verify_locations(certs / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    port = free_port()
    server = socket.create_server(("127.0.0.1", port))
    server.settimeout(0.2)
    stop = threading.Event()
    handshakes: list[str] = []

    def relay(src: socket.socket, dst: socket.socket) -> None:
        """One direction; at its end, half-close: `docker exec` closes its input and still reads the output."""
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def serve(raw: socket.socket) -> None:
        try:
            raw.settimeout(10)
            conn = context.wrap_socket(raw, server_side=True)
            conn.settimeout(None)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        handshakes.append(str(conn.getpeercert()))
        engine = socket.socket(socket.AF_UNIX)
        engine.connect(ENGINE_SOCKET)
        back = threading.Thread(target=relay, args=(engine, conn), daemon=True)
        back.start()
        relay(conn, engine)
        back.join(timeout=600)
        conn.close()
        engine.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                raw, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(raw,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    url = f"tcp://127.0.0.1:{port}"
    env = {"DOCKER_HOST": url, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(certs)}
    try:
        yield TlsEndpoint(url, certs, env, handshakes)
    finally:
        stop.set()
        acceptor.join(timeout=5)
        server.close()
