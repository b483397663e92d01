FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir .
ENV PIETERPOST_DATABASE_URL=sqlite+aiosqlite:////data/pieterpost.db PIETERPOST_ASSET_DIR=/data/assets
VOLUME /data
EXPOSE 8000
CMD ["pieterpost", "serve", "--host", "0.0.0.0", "--port", "8000"]
