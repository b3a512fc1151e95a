"""The notebooks' reads on a lakehouse on S3-compatible object storage, as in production (docs/production.md
section 3): a REST catalog whose warehouse is an S3 bucket, tables whose metadata and data are objects in it.

The bucket is served by the project's own object store (`bin/object-store serve`, moto pinned from PyPI); the REST
catalog is Iceberg's own RESTCatalogServer (the pipelines build copies its jars; the same server the pipelines'
ObjectStorePipelineTest runs their nightly against), writing table metadata through Iceberg's Java S3FileIO. The
notebooks' pyiceberg (pyarrow's S3 file system) then reads what it finds there, configured only by the
ECOMCRM_S3_* settings. Own PostgreSQL database `ecomcrm_notebooks_s3` (recreated) for the catalog's backend.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.fs as pafs
import pytest
from pyiceberg.schema import Schema
from pyiceberg.types import DecimalType, LongType, NestedField, StringType

import ecomcrm_warehouse as ew

ROOT = ew.REPO_ROOT
REST_SERVER = ROOT / "pipelines" / "target" / "iceberg-rest-server"
DATABASE = "ecomcrm_notebooks_s3"
BUCKET = "notebooks-lakehouse"
ACCESS_KEY, SECRET_KEY, REGION = "ecomcrm-test", "ecomcrm-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what: str, process: subprocess.Popen, log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"{what} exited: " + log.read_text(errors="replace")
        try:
            result = check()
            if result:
                return result
        except Exception:  # not listening yet
            pass
        assert time.monotonic() < deadline, f"{what} did not answer within {seconds:.0f} s: " \
                                            + log.read_text(errors="replace")
        time.sleep(0.3)


@pytest.fixture
def object_store(tmp_path):
    """A fresh store on a free port with an empty bucket; stopped afterwards (moto keeps objects in memory)."""
    subprocess.run([str(ROOT / "bin" / "object-store"), "env"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log = tmp_path / "object-store.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(ROOT / "bin" / "object-store"), "serve", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).status == 200,
                   "the object store", server, log)
        fs = pafs.S3FileSystem(endpoint_override=endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                               region=REGION, allow_bucket_creation=True)
        fs.create_dir(BUCKET)
        yield {"endpoint": endpoint, "fs": fs}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def catalog_database():
    """A fresh PostgreSQL database for the REST catalog's JDBC backend (Iceberg creates its tables in it)."""
    settings = ew.Settings.from_env()
    admin = psycopg2.connect(ew.Settings.from_env(pg_database="postgres").sqlalchemy_url()
                             .replace("postgresql+psycopg2://", "postgresql://"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    try:
        yield ew.with_pg_database(settings.pg_url, DATABASE)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


def test_file_io_properties_come_only_from_the_s3_settings():
    assert ew.file_io_properties(ew.Settings.from_env({})) == {}
    settings = ew.Settings.from_env({"ECOMCRM_S3_ENDPOINT": "http://127.0.0.1:58900", "ECOMCRM_S3_REGION": "eu-west-1",
                                     "ECOMCRM_S3_ACCESS_KEY_ID": "key", "ECOMCRM_S3_SECRET_ACCESS_KEY": "secret"})
    assert ew.file_io_properties(settings) == {
        "s3.endpoint": "http://127.0.0.1:58900", "s3.force-virtual-addressing": "false", "s3.region": "eu-west-1",
        "s3.access-key-id": "key", "s3.secret-access-key": "secret"}
    assert "secret" not in repr(settings)


def test_the_notebooks_read_a_rest_catalogs_tables_from_s3(object_store, catalog_database, tmp_path):
    jars = sorted(str(p) for p in (REST_SERVER / "lib").glob("*.jar"))
    base = REST_SERVER / "base-classpath.txt"
    assert any("iceberg-aws-" in jar for jar in jars) and base.exists(), \
        f"{REST_SERVER} is missing or has no S3FileIO: build the pipelines (mvn -pl pipelines verify)"
    settings = ew.Settings.from_env()
    port = free_port()
    warehouse = f"s3://{BUCKET}/warehouse"
    env = dict(os.environ, CATALOG_CATALOG__IMPL="org.apache.iceberg.jdbc.JdbcCatalog",
               CATALOG_URI=catalog_database, CATALOG_JDBC_USER=settings.pg_user,
               CATALOG_JDBC_PASSWORD=settings.pg_password, CATALOG_JDBC_SCHEMA__VERSION="V1",
               CATALOG_CATALOG_NAME=ew.CATALOG_NAME, CATALOG_WAREHOUSE=warehouse, CATALOG_REST_PORT=str(port),
               CATALOG_IO__IMPL="org.apache.iceberg.aws.s3.S3FileIO", CATALOG_S3_ENDPOINT=object_store["endpoint"],
               CATALOG_S3_PATH__STYLE__ACCESS="true", CATALOG_S3_ACCESS__KEY__ID=ACCESS_KEY,
               CATALOG_S3_SECRET__ACCESS__KEY=SECRET_KEY, CATALOG_CLIENT_REGION=REGION)
    log = tmp_path / "rest-catalog-server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(["java", "-Xmx256m", "-cp", os.pathsep.join(jars + [base.read_text().strip()]),
                                   "org.apache.iceberg.rest.RESTCatalogServer"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        s3_settings = ew.Settings.from_env({**os.environ, "ECOMCRM_ICEBERG_CATALOG_URI": f"http://127.0.0.1:{port}",
                                            "ECOMCRM_S3_ENDPOINT": object_store["endpoint"],
                                            "ECOMCRM_S3_REGION": REGION, "ECOMCRM_S3_ACCESS_KEY_ID": ACCESS_KEY,
                                            "ECOMCRM_S3_SECRET_ACCESS_KEY": SECRET_KEY})
        catalog = wait_until(lambda: ew.iceberg_catalog(s3_settings), "the REST catalog server", server, log)
        assert type(catalog).__name__ == "RestCatalog"

        # A table as the pipelines lay it out (silver.orders, money as decimal(18,2)), two shops' rows in it.
        catalog.create_namespace("silver")
        schema = Schema(NestedField(1, "shop_id", StringType(), required=True),
                        NestedField(2, "order_id", LongType(), required=True),
                        NestedField(3, "total_price", DecimalType(18, 2), required=False))
        table = catalog.create_table("silver.orders", schema=schema)
        assert table.location().startswith(warehouse + "/")
        from decimal import Decimal
        table.append(pa.table({"shop_id": ["a.myshopify.com", "a.myshopify.com", "b.myshopify.com"],
                               "order_id": [10, 11, 20],
                               "total_price": [Decimal("40.00"), Decimal("12.34"), Decimal("99.99")]},
                              schema=pa.schema([pa.field("shop_id", pa.string(), nullable=False),
                                                pa.field("order_id", pa.int64(), nullable=False),
                                                pa.field("total_price", pa.decimal128(18, 2))])))

        # An analyst's read through a fresh catalog: one shop's rows, from objects in the bucket.
        rows = ew.read_iceberg(ew.iceberg_catalog(s3_settings), "silver.orders", "a.myshopify.com")
        assert sorted(rows["order_id"].tolist()) == [10, 11]
        assert sorted(str(v) for v in rows["total_price"]) == ["12.34", "40.00"]
        assert ew.iceberg_tables(catalog) == ["silver.orders"]
        objects = [info.path for info in object_store["fs"].get_file_info(
            pafs.FileSelector(f"{BUCKET}/warehouse", recursive=True)) if info.type == pafs.FileType.File]
        assert any(o.endswith(".parquet") and "/silver/orders/data/" in o for o in objects), objects
        assert any(o.endswith(".metadata.json") and "/silver/orders/metadata/" in o for o in objects), objects
    finally:
        server.terminate()
        server.wait(timeout=30)
