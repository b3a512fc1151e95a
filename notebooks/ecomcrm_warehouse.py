"""Shared helpers for the analysts' notebooks: settings, Iceberg through pyiceberg, ClickHouse over HTTP.

Everything is read-only. Settings come from the same environment variables every program of the project reads
(docs/development.md), with the same development defaults:

    ECOMCRM_PG_URL, ECOMCRM_PG_USER, ECOMCRM_PG_PASSWORD   the PostgreSQL database holding Iceberg's JDBC catalog
    ECOMCRM_WAREHOUSE_DIR                                  Iceberg data files (default var/warehouse)
    ECOMCRM_ICEBERG_CATALOG_URI                            an Iceberg REST catalog instead of the JDBC catalog
                                                           (production, docs/production.md section 3), with
    ECOMCRM_ICEBERG_CATALOG_CREDENTIAL                     its OAuth client "id:secret" (optional),
    ECOMCRM_ICEBERG_CATALOG_WAREHOUSE                      the warehouse (catalog) name it serves (optional)
    ECOMCRM_S3_ENDPOINT, ECOMCRM_S3_REGION                 tables on S3-compatible object storage: its endpoint
    ECOMCRM_S3_ACCESS_KEY_ID, ECOMCRM_S3_SECRET_ACCESS_KEY (path-style) and static keys, all optional (a catalog that
                                                           vends credentials needs none; AWS's chain is the fallback)
    ECOMCRM_CH_URL, ECOMCRM_CH_DATABASE                    ClickHouse's HTTP interface and database
    ECOMCRM_CH_USER, ECOMCRM_CH_PASSWORD

Every read takes a `shop` (the shop's *.myshopify.com domain): analysts look at one shop at a time. Reading every
shop needs the explicit `ALL_SHOPS`.

ClickHouse is read through its HTTP interface, never a driver: the test server is ClickHouse 18.16, which current
Python clients do not speak to. Values are rendered into SQL by `ch_literal` (18.16 has no server-side query
parameters), with only the escapes 18.16 and current releases read alike, mirroring the Java gateway's SqlLiterals.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:55432/ecomcrm"
DEFAULT_CH_URL = "http://127.0.0.1:58123"
CATALOG_NAME = "lakehouse"  # the Iceberg catalog name the Java JdbcCatalog keys every table by

#: Pass as `shop` to read every shop at once (only when you mean it).
ALL_SHOPS = "*"

_SHOP = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JDBC_PG = re.compile(r"^jdbc:postgresql://(?P<hostport>[^/?]+)/(?P<db>[^/?]+)(?:\?.*)?$")


# --------------------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """Where the warehouse is. `Settings.from_env()` reads the environment; keyword arguments override it."""

    pg_url: str = DEFAULT_PG_URL
    pg_user: str = "ecomcrm"
    pg_password: str = "ecomcrm"
    warehouse_dir: Path = REPO_ROOT / "var" / "warehouse"
    ch_url: str = DEFAULT_CH_URL
    ch_database: str = "ecomcrm"
    ch_user: str = "default"
    ch_password: str = ""
    #: An Iceberg REST catalog's URI; None reads the JDBC catalog in PostgreSQL (development).
    iceberg_catalog_uri: str | None = None
    iceberg_catalog_credential: str | None = None
    iceberg_catalog_warehouse: str | None = None
    #: S3-compatible object storage of the tables (None: AWS's own endpoint, or local files).
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, pg_database: str | None = None,
                 ch_database: str | None = None, warehouse_dir: str | os.PathLike | None = None) -> "Settings":
        """The settings from `env` (default: os.environ); `pg_database`, `ch_database` and `warehouse_dir`, when
        given (notebook parameters), replace the database of ECOMCRM_PG_URL, ECOMCRM_CH_DATABASE and
        ECOMCRM_WAREHOUSE_DIR."""
        env = os.environ if env is None else env

        def get(name: str, fallback: str) -> str:
            value = env.get(name)
            return fallback if value is None or not value.strip() else value

        warehouse = Path(warehouse_dir or get("ECOMCRM_WAREHOUSE_DIR", str(REPO_ROOT / "var" / "warehouse")))
        if not warehouse.is_absolute():  # relative paths mean the repository root, as for bin/run
            warehouse = REPO_ROOT / warehouse
        settings = cls(
            pg_url=get("ECOMCRM_PG_URL", DEFAULT_PG_URL),
            pg_user=get("ECOMCRM_PG_USER", "ecomcrm"),
            pg_password=env.get("ECOMCRM_PG_PASSWORD", "ecomcrm"),
            warehouse_dir=warehouse.resolve(),
            ch_url=get("ECOMCRM_CH_URL", DEFAULT_CH_URL).rstrip("/"),
            ch_database=ch_database or get("ECOMCRM_CH_DATABASE", "ecomcrm"),
            ch_user=get("ECOMCRM_CH_USER", "default"),
            ch_password=env.get("ECOMCRM_CH_PASSWORD", ""),
            iceberg_catalog_uri=get("ECOMCRM_ICEBERG_CATALOG_URI", "") or None,
            iceberg_catalog_credential=get("ECOMCRM_ICEBERG_CATALOG_CREDENTIAL", "") or None,
            iceberg_catalog_warehouse=get("ECOMCRM_ICEBERG_CATALOG_WAREHOUSE", "") or None,
            s3_endpoint=get("ECOMCRM_S3_ENDPOINT", "") or None,
            s3_region=get("ECOMCRM_S3_REGION", "") or None,
            s3_access_key_id=get("ECOMCRM_S3_ACCESS_KEY_ID", "") or None,
            s3_secret_access_key=env.get("ECOMCRM_S3_SECRET_ACCESS_KEY") or None,
        )
        if pg_database:
            settings = replace(settings, pg_url=with_pg_database(settings.pg_url, pg_database))
        return settings

    @property
    def pg_database(self) -> str:
        return _parse_jdbc(self.pg_url)[1]

    def sqlalchemy_url(self) -> str:
        """ECOMCRM_PG_URL (a JDBC URL, as the Java side reads it) as a SQLAlchemy/psycopg2 URL."""
        hostport, db = _parse_jdbc(self.pg_url)
        user = urllib.parse.quote(self.pg_user, safe="")
        password = urllib.parse.quote(self.pg_password, safe="")
        return f"postgresql+psycopg2://{user}:{password}@{hostport}/{db}"

    def __repr__(self) -> str:  # never print passwords
        return (f"Settings(pg_url={self.pg_url!r}, pg_user={self.pg_user!r}, warehouse_dir={str(self.warehouse_dir)!r},"
                f" ch_url={self.ch_url!r}, ch_database={self.ch_database!r}, ch_user={self.ch_user!r},"
                f" iceberg_catalog_uri={self.iceberg_catalog_uri!r}, s3_endpoint={self.s3_endpoint!r})")


def _parse_jdbc(url: str) -> tuple[str, str]:
    match = _JDBC_PG.match(url)
    if not match:
        raise ValueError(f"ECOMCRM_PG_URL {url!r} is not a jdbc:postgresql://host:port/database URL")
    return match.group("hostport"), match.group("db")


def with_pg_database(jdbc_url: str, database: str) -> str:
    """The JDBC URL with another database name (query parameters kept)."""
    identifier(database)
    _parse_jdbc(jdbc_url)
    return re.sub(r"/[^/?]+(\?.*)?$", lambda m: "/" + database + (m.group(1) or ""), jdbc_url, count=1)


def check_shop(shop: str) -> str:
    """`shop` if it is a *.myshopify.com domain or ALL_SHOPS; a ValueError otherwise (a typo must not read nothing
    silently, and a missing shop must not read every shop)."""
    if shop == ALL_SHOPS or (isinstance(shop, str) and _SHOP.match(shop)):
        return shop
    raise ValueError(f"shop must be a shop's *.myshopify.com domain (or ALL_SHOPS), not {shop!r}")


def identifier(name: str) -> str:
    """A table, column or database name, checked rather than escaped."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"identifier {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
    return name


# ---------------------------------------------------------------------------------------------------------- iceberg


def iceberg_catalog(settings: Settings | None = None):
    """The pipelines' Iceberg catalog, read-only by convention.

    With ECOMCRM_ICEBERG_CATALOG_URI (production): pyiceberg's RestCatalog on that REST catalog, with the client
    credential and warehouse name when given; the catalog hands out the table locations (and, on object storage,
    the credentials to read them), so no warehouse folder is needed. Without it (development): pyiceberg's
    SqlCatalog over the same PostgreSQL tables (iceberg_tables, iceberg_namespace_properties) and catalog name
    (`lakehouse`) as the pipelines' Java JdbcCatalog; it never creates the catalog tables: the project's migrations
    own them."""
    settings = settings or Settings.from_env()
    if settings.iceberg_catalog_uri:
        from pyiceberg.catalog.rest import RestCatalog

        properties = {"uri": settings.iceberg_catalog_uri}
        if settings.iceberg_catalog_credential:
            properties["credential"] = settings.iceberg_catalog_credential
        if settings.iceberg_catalog_warehouse:
            properties["warehouse"] = settings.iceberg_catalog_warehouse
        return RestCatalog(CATALOG_NAME, **properties, **file_io_properties(settings))
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog(
        CATALOG_NAME,
        uri=settings.sqlalchemy_url(),
        warehouse=settings.warehouse_dir.as_uri(),
        init_catalog_tables="false",
        **file_io_properties(settings),
    )


def file_io_properties(settings: Settings) -> dict[str, str]:
    """pyiceberg's FileIO properties for tables on S3-compatible object storage (pyarrow's S3 file system): the
    endpoint, region and static keys the settings name, nothing otherwise. The same values the pipelines get as
    `spark.sql.catalog.lakehouse.s3.*` (docs/production.md section 3). With an endpoint, requests are path-style
    (`http://host:port/bucket/key`), as a local or on-premises store needs; AWS's own endpoint keeps virtual hosts.
    Properties a REST catalog hands out per table (vended credentials) take precedence over these."""
    properties: dict[str, str] = {}
    if settings.s3_endpoint:
        properties["s3.endpoint"] = settings.s3_endpoint
        properties["s3.force-virtual-addressing"] = "false"
    if settings.s3_region:
        properties["s3.region"] = settings.s3_region
    if settings.s3_access_key_id:
        properties["s3.access-key-id"] = settings.s3_access_key_id
    if settings.s3_secret_access_key:
        properties["s3.secret-access-key"] = settings.s3_secret_access_key
    return properties


def read_iceberg(catalog, table: str, shop: str, row_filter=None, columns: Iterable[str] | None = None):
    """The rows of Iceberg `table` ("silver.orders") for `shop` (or ALL_SHOPS) as a pandas DataFrame.
    `row_filter` is an extra pyiceberg expression or filter string, ANDed with the shop filter."""
    from pyiceberg.expressions import AlwaysTrue, And, EqualTo

    check_shop(shop)
    expression = AlwaysTrue() if shop == ALL_SHOPS else EqualTo("shop_id", shop)
    if row_filter is not None:
        if isinstance(row_filter, str):
            from pyiceberg.expressions.parser import parse

            row_filter = parse(row_filter)
        expression = And(expression, row_filter)
    scan_kwargs: dict[str, Any] = {"row_filter": expression}
    if columns is not None:
        scan_kwargs["selected_fields"] = tuple(columns)
    return catalog.load_table(table).scan(**scan_kwargs).to_pandas()


def iceberg_tables(catalog) -> list[str]:
    """Every table of the catalog as "namespace.table"."""
    names = []
    for namespace in catalog.list_namespaces():
        for ident in catalog.list_tables(namespace):
            names.append(".".join(ident))
    return sorted(names)


# ------------------------------------------------------------------------------------------------------- clickhouse

_HEX = "0123456789ABCDEF"
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def ch_string(value: str) -> str:
    """A ClickHouse string literal: quotes around, backslash and quote escaped, \\n \\r \\t \\0 and every other
    control character (and DEL) as an escape, so the literal can't be cut short whatever the input. Lone surrogates
    (no UTF-8 form) are refused rather than silently replaced."""
    if not isinstance(value, str):
        raise TypeError(f"ch_string needs a str, not {type(value).__name__}")
    out = ["'"]
    for ch in value:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append("\\x" + _HEX[code >> 4] + _HEX[code & 0xF])
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"cannot use a string with an unpaired surrogate (U+{code:04X}) as a literal")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def ch_literal(value: Any) -> str:
    """Any supported Python value as ClickHouse SQL: str, int, float, bool, date, datetime (UTC), None, and
    lists/tuples of those (as an array, for `IN`)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return f"({value})" if value < 0 else str(value)  # x - {n} must not become a comment (x --5)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"cannot use {value} as a literal")
        return f"({value!r})" if value < 0 else repr(value)
    if isinstance(value, str):
        return ch_string(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return f"toDateTime('{value.strftime('%Y-%m-%d %H:%M:%S')}', 'UTC')"
    if isinstance(value, _dt.date):
        if not 1000 <= value.year <= 9999:
            raise ValueError(f"cannot use date {value}: year out of range")
        return f"toDate('{value.isoformat()}')"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(ch_literal(v) for v in value) + "]"
    raise TypeError(f"cannot render {type(value).__name__} as a ClickHouse literal")


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(ident))?\}")


def ch_render(sql: str, **params: Any) -> str:
    """`sql` with every `{name}` replaced by `ch_literal(params[name])` and `{name:ident}` by a checked identifier.
    Unknown or unused parameters are errors, so a misspelt filter can't go unnoticed."""
    used = set()

    def substitute(match: re.Match) -> str:
        name, kind = match.group(1), match.group(2)
        if name not in params:
            raise KeyError(f"no value for {{{name}}} in the query")
        used.add(name)
        return identifier(params[name]) if kind == "ident" else ch_literal(params[name])

    rendered = _PLACEHOLDER.sub(substitute, sql)
    unused = set(params) - used
    if unused:
        raise KeyError(f"parameters not used by the query: {sorted(unused)}")
    return rendered


class ClickHouseError(RuntimeError):
    pass


def ch_post(sql: str, settings: Settings | None = None, *, database: str | None = None, timeout: float = 60,
            server_settings: Mapping[str, str] | None = None) -> str:
    """Sends one statement to ClickHouse's HTTP interface and returns the response body (text)."""
    settings = settings or Settings.from_env()
    query = {"database": database if database is not None else settings.ch_database}
    if query["database"] == "":
        del query["database"]
    query.update(server_settings or {})
    request = urllib.request.Request(settings.ch_url + "/?" + urllib.parse.urlencode(query),
                                     data=sql.encode("utf-8"), method="POST")
    request.add_header("X-ClickHouse-User", settings.ch_user)
    if settings.ch_password:
        request.add_header("X-ClickHouse-Key", settings.ch_password)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace").strip()
        raise ClickHouseError(f"ClickHouse answered {e.code}: {body[:2000]}\nquery: {sql[:2000]}") from None


_FORMAT_AT_END = re.compile(r"\bFORMAT\s+\w+\s*;?\s*$", re.IGNORECASE)


def ch_rows(sql: str, settings: Settings | None = None, **params: Any) -> list[dict]:
    """Runs a SELECT (without FORMAT: `FORMAT JSONEachRow` is appended), with `{name}` parameters rendered by
    `ch_render` when any are given, and returns one dict per row. 64-bit integers come back as numbers, not strings."""
    if _FORMAT_AT_END.search(sql):
        raise ValueError("leave FORMAT out: ch_rows appends FORMAT JSONEachRow itself")
    if params:  # a query without parameters is sent as it is (its literals may hold braces)
        sql = ch_render(sql, **params)
    body = ch_post(sql + "\nFORMAT JSONEachRow", settings,
                   server_settings={"output_format_json_quote_64bit_integers": "0"})
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def ch_frame(sql: str, settings: Settings | None = None, **params: Any):
    """`ch_rows` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(ch_rows(sql, settings, **params))


def ch_shop_filter(shop: str) -> str:
    """A WHERE condition on shop_id for `shop`, or `1` for ALL_SHOPS."""
    check_shop(shop)
    return "1" if shop == ALL_SHOPS else "shop_id = " + ch_string(shop)


def latest_publication(shop: str, settings: Settings | None = None) -> dict | None:
    """The shop's newest complete publication in ClickHouse ({publish_id, as_of_date, customers}), or None. Readers
    read only rows of this publish_id (docs/warehouse-contract.md: a half-written publication is never seen)."""
    if shop == ALL_SHOPS:
        raise ValueError("latest_publication is per shop")
    check_shop(shop)
    rows = ch_rows(
        "SELECT publish_id, toString(as_of_date) AS as_of_date, customers FROM shop_publications"
        " WHERE shop_id = {shop} ORDER BY publish_id DESC LIMIT 1", settings, shop=shop)
    return rows[0] if rows else None


def segment_summary(shop: str, settings: Settings | None = None):
    """ClickHouse's segment_summary for the shop's newest publication: segment, customers, revenue_cents."""
    publication = latest_publication(shop, settings)
    if publication is None:
        import pandas as pd

        return pd.DataFrame(columns=["segment", "customers", "revenue_cents"])
    return ch_frame(
        "SELECT segment, customers, revenue_cents FROM segment_summary"
        " WHERE shop_id = {shop} AND publish_id = {publish_id} ORDER BY segment",
        settings, shop=shop, publish_id=publication["publish_id"])


# ------------------------------------------------------------------------------------------------------- reporting


def cents(values):
    """Iceberg decimal(18,2) money (Decimal objects, None for null) as exact integer cents, a nullable Int64
    pandas Series: sums stay exact, and they compare with ClickHouse's *_cents columns directly."""
    import pandas as pd
    from decimal import Decimal

    def one(value):
        if value is None or (isinstance(value, float) and value != value):
            return None
        scaled = Decimal(value) * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 2 decimals")
        return int(scaled)

    return pd.Series([one(v) for v in values], index=getattr(values, "index", None), dtype="Int64")


def utc(values):
    """Timestamps as naive UTC pandas datetimes, whether Iceberg stored them as `timestamptz` (what Spark's
    TIMESTAMP becomes) or `timestamp`: so they compare with plain `pd.Timestamp("2026-05-31")` day boundaries."""
    import pandas as pd

    series = pd.to_datetime(values)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series


def segment_label(key: str) -> str:
    """A segment key (Segment.key(), e.g. NEEDS_ATTENTION) as a chart label ("Needs attention")."""
    return key.replace("_", " ").capitalize()


def summary_line(name: str, values: Mapping[str, Any]) -> str:
    """The one machine-readable line a notebook prints at its end ("SUMMARY <name> <json>"), read by the notebook
    test to compare the notebook's numbers with ClickHouse's."""
    return f"SUMMARY {name} " + json.dumps(values, sort_keys=True, default=str)
