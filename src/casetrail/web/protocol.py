"""The HTTP protocol `casetrail serve` runs uvicorn with."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with Nagle off on every connection. With several workers uvicorn
    binds the listening socket without its protocol number, so asyncio never sets TCP_NODELAY on
    the connections it accepts, and each keep-alive response waits ~40 ms for the client's delayed
    ACK (uvicorn issue #3149). Set here, it holds for one worker or many."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
