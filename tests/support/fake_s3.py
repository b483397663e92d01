"""An S3-compatible server for tests: moto's standalone server on a free loopback port.

moto implements the S3 REST API (PUT/GET/HEAD/DELETE object, multipart upload, ListObjectsV2,
its error documents) the way the service documents it; the tests reach it with obstore like a
real store and inspect the bucket with boto3 (installed with moto).
"""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.servers import free_port

ACCESS_KEY = "AKIAPIETERPOSTTEST01"
SECRET_KEY = "pieterpost-test-secret-access-key-000000"
REGION = "eu-central-1"


@dataclass
class FakeS3:
    endpoint: str
    proc: subprocess.Popen[bytes]

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY)

    def new_bucket(self) -> str:
        name = f"pp-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def env(self, bucket: str, prefix: str = "assets") -> dict[str, str]:
        return {"PIETERPOST_ASSET_STORE": "s3", "PIETERPOST_S3_BUCKET": bucket, "PIETERPOST_S3_PREFIX": prefix,
                "PIETERPOST_S3_ENDPOINT": self.endpoint, "PIETERPOST_S3_REGION": REGION,
                "PIETERPOST_S3_ACCESS_KEY_ID": ACCESS_KEY, "PIETERPOST_S3_SECRET_ACCESS_KEY": SECRET_KEY}

    def settings(self, bucket: str, prefix: str = "assets") -> dict[str, str]:
        return {"asset_store": "s3", "s3_bucket": bucket, "s3_prefix": prefix, "s3_endpoint": self.endpoint,
                "s3_region": REGION, "s3_access_key_id": ACCESS_KEY, "s3_secret_access_key": SECRET_KEY}


@contextmanager
def running_s3() -> Iterator[FakeS3]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {proc.returncode}")
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start in 60 s") from None
                time.sleep(0.1)
        yield FakeS3(endpoint, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
