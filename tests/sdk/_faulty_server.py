"""Small servers on 127.0.0.1 that misbehave on purpose, for the runtime tests.

``ClosingServer`` accepts TCP connections and closes each at once, without answering: either
with a plain close (FIN: "server disconnected without sending a response") or with a reset
(RST, via ``SO_LINGER`` 0: "connection reset by peer"). With ``reply``, it first reads the
request head and sends those bytes (e.g. a status line and headers promising more body than
follows) before closing. It counts what it accepted. Its thread stops when the ``with`` block
ends, and after ``lifetime`` seconds in any case.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from types import TracebackType


class ClosingServer:
    """Accept on 127.0.0.1 and close every connection immediately; count the accepts."""

    def __init__(self, *, reset: bool, reply: bytes | None = None, lifetime: float = 10.0) -> None:
        self.reset = reset
        self.reply = reply
        self.lifetime = lifetime
        self.accepted = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="closing-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        deadline = time.monotonic() + self.lifetime
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                self.accepted += 1  # counted before the close the client sees
            try:
                if self.reply is not None:
                    self._read_head(conn)
                    conn.sendall(self.reply)
                if self.reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:  # the client went away first: nothing to do
                pass
            finally:
                conn.close()

    @staticmethod
    def _read_head(conn: socket.socket) -> None:
        """Read up to the end of the request head (bounded in time and size)."""
        conn.settimeout(1.0)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass

    def __enter__(self) -> ClosingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
