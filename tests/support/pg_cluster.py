"""A private PostgreSQL cluster for tests that stop the database: initdb + pg_ctl from Debian's
``/usr/lib/postgresql/*/bin`` in a temp dir, on a free loopback port. Never the shared server."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args]),
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._ctl("-l", str(self.log), "-w", "-t", "60", "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1",
                  "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    bindir = pg_bin()
    assert bindir is not None
    # not under pytest's tmp dir: that is private to root (0700) and the cluster runs as postgres
    root = Path(tempfile.mkdtemp(prefix="pieterpost-pg-"))
    os.chmod(root, 0o755)
    datadir = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
                                 "--no-sync", "-E", "UTF8"]), check=True, capture_output=True, timeout=120)
    cluster = Cluster(bindir, datadir, free_port(), root / "server.log")
    with open(datadir / "postgresql.conf", "a") as conf:
        conf.write("\nfsync = off\nsynchronous_commit = off\nmax_connections = 200\n")
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root, ignore_errors=True)
