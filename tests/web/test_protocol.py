"""`casetrail serve`'s HTTP protocol turns Nagle off on each connection (uvicorn #3149: with several
workers nobody else does, and every keep-alive response waits for the client's delayed ACK)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from casetrail.web.protocol import NoDelayProtocol


class Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": self.sock, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def is_closing(self) -> bool:
        return False


def test_an_accepted_connection_has_nagle_off() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # as uvicorn's workers get it
        config = Config(app=lambda *_: None, factory=False)
        config.load()
        loop = asyncio.new_event_loop()  # its own: whether one is current depends on the tests before
        try:
            protocol = NoDelayProtocol(config=config, server_state=ServerState(), app_state={}, _loop=loop)
            protocol.connection_made(Transport(accepted))  # type: ignore[arg-type]
        finally:
            loop.close()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (client, accepted, listener):
            s.close()
