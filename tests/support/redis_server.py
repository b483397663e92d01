"""Redis for tests: the shared server at 127.0.0.1:6379 (with a key prefix per test) or a private
``redis-server`` on a free port that a test may stop."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.servers import free_port
from tests.support.system import require_system_part

SHARED = ("127.0.0.1", 6379)


def _pings(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def shared_redis() -> tuple[str, str]:
    """(url, unique key prefix) on the shared Redis; skips (or fails under CI strict) without it."""
    require_system_part("Redis", _pings(*SHARED), "no Redis answers on 127.0.0.1:6379")
    return f"redis://{SHARED[0]}:{SHARED[1]}/0", f"pptest:{uuid.uuid4().hex[:10]}:"


class PrivateRedis:
    def __init__(self, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.proc = proc
        self.url = f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    require_system_part("redis-server", binary is not None, "install the redis-server package")
    assert binary
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _pings("127.0.0.1", port):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis-server did not start")
            time.sleep(0.05)
        yield PrivateRedis(port, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
