"""Debian's nginx as a round-robin reverse proxy, started by a test with its own prefix and
config in a temp dir on a free loopback port (never port 80). The config is docs/deploy.md's
example, with the upstream's address echoed in ``X-Upstream`` so a test can see which host
answered."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import free_port, stop, wait_healthy

NGINX = "/usr/sbin/nginx"

CONFIG = """
{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream pieterpost {{
        {servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 80m;
        location / {{
            proxy_pass http://pieterpost;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_read_timeout 120s;
            proxy_request_buffering off;
            add_header X-Upstream $upstream_addr always;
        }}
        location /mcp/sse {{
            proxy_pass http://pieterpost;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"""


@contextmanager
def running_nginx(tmp: Path, upstream_ports: list[int], port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    prefix = tmp / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    servers = "\n        ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in upstream_ports)
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(CONFIG.format(user=user, prefix=prefix, servers=servers, port=port))
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base, 30, lambda: f"nginx exited: {(prefix / 'error.log').read_text()[-2000:]}")
        yield base
    finally:
        stop(proc)
