# One image for both roles: `pieterpost serve` (default) and `pieterpost worker`.
# Build from a clean checkout or rely on .dockerignore: ./var/ (secret key, SQLite database,
# local assets) must never end up in an image layer.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin pieterpost
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir . && mkdir -p /data && chown pieterpost /data
USER pieterpost
ENV PIETERPOST_DATABASE_URL=sqlite+aiosqlite:////data/pieterpost.db PIETERPOST_ASSET_DIR=/data/assets
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["pieterpost", "serve", "--host", "0.0.0.0", "--port", "8000"]
