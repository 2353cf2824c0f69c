"""No network during a bench: connections to anything but this machine are refused, and noted.

A view that calls an outside API sees the error an outage gives (a name that does not
resolve, a refused connection); the call is noted against the bench target that made it, so
the report can say "calls api.example.com on GET".
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from perfkit.labels import TARGET
from perfkit.recording import current_labels, current_recording

#: Names that are this machine, whatever resolves them.
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", ""})


#: The target of a refused call made between requests (bench's own logins, data filling).
OUTSIDE_A_REQUEST = "(outside a request)"


@dataclass(frozen=True)
class RefusedCall:
    """One outbound call bench refused: which target made it, with which method, to where."""

    target: str
    method: str
    host: str


@dataclass
class Guard:
    """The refused calls, and the hosts besides loopback that stay reachable (the databases)."""

    allowed: frozenset[str] = frozenset()
    refused: set[RefusedCall] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def local(self, host: Any) -> bool:
        if not isinstance(host, str):
            return True  # None: the wildcard address, for a server binding here
        name = host.strip("[]").lower()
        if name in _LOCAL_NAMES or name in self.allowed or name.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(name.split("%")[0]).is_loopback
        except ValueError:
            return False

    def refuse(self, host: str) -> None:
        """Note a refused call against the target whose request made it.

        A call made while no request is being recorded is bench's own doing (logging a
        persona in saves the user, and a project's save handler may call out): it is
        noted as outside a request, never charged to the target about to be requested.
        """
        labels = current_labels.get() or {}
        recording = current_recording.get()
        if recording is None:
            call = RefusedCall(OUTSIDE_A_REQUEST, "", host)
        else:
            call = RefusedCall(labels.get(TARGET, OUTSIDE_A_REQUEST), recording.method, host)
        with self._lock:
            self.refused.add(call)


def hosts_of(settings: Any) -> frozenset[str]:
    """Hosts the project's databases live on: bench must still reach those."""
    found = {str(db.get("HOST") or "") for db in getattr(settings, "DATABASES", {}).values()}
    return frozenset(host.lower() for host in found if host and not host.startswith("/"))


@contextmanager
def blocked(allowed: Iterable[str] = ()) -> Iterator[Guard]:
    """Refuse every connection and name lookup that is not this machine, until the block ends."""
    guard = Guard(frozenset(allowed) | {socket.gethostname().lower()})
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode("idna")
        if host is not None and not guard.local(host):
            guard.refuse(host)
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: perfkit bench blocks the network")
        return real_getaddrinfo(host, *args, **kwargs)

    # SocketType (_socket.socket) is the type the stubs give ``self`` of the patched methods.
    def _refused(sock: socket.SocketType, address: Any) -> str | None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        host = address[0] if isinstance(address, tuple) else address
        return None if guard.local(host) else host

    def connect(sock: socket.SocketType, address: Any) -> None:
        host = _refused(sock, address)
        if host is not None:
            guard.refuse(host)
            raise ConnectionRefusedError(
                errno.ECONNREFUSED, f"{host}: perfkit bench blocks the network"
            )
        real_connect(sock, address)

    def connect_ex(sock: socket.SocketType, address: Any) -> int:
        host = _refused(sock, address)
        if host is not None:
            guard.refuse(host)
            return errno.ECONNREFUSED
        return real_connect_ex(sock, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield guard
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
