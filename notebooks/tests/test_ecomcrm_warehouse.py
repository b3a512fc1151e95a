"""Unit tests of notebooks/ecomcrm_warehouse.py; the escaping is fuzzed against the real ClickHouse (bin/services)."""
import datetime as dt
import random
import urllib.request

import pytest

import ecomcrm_warehouse as ew


def clickhouse_answers() -> bool:
    try:
        with urllib.request.urlopen(ew.Settings.from_env().ch_url + "/ping", timeout=3) as response:
            return response.read().strip() == b"Ok."
    except OSError:
        return False


needs_clickhouse = pytest.mark.skipif(not clickhouse_answers(), reason="needs ClickHouse (bin/services start)")


# ---------------------------------------------------------------------------------------------------- settings


def test_settings_defaults_are_the_documented_dev_ones():
    s = ew.Settings.from_env({})
    assert s.pg_url == "jdbc:postgresql://127.0.0.1:55432/ecomcrm"
    assert (s.pg_user, s.pg_password) == ("ecomcrm", "ecomcrm")
    assert s.ch_url == "http://127.0.0.1:58123" and s.ch_database == "ecomcrm"
    assert s.warehouse_dir == ew.REPO_ROOT / "var" / "warehouse"
    assert s.sqlalchemy_url() == "postgresql+psycopg2://ecomcrm:ecomcrm@127.0.0.1:55432/ecomcrm"


def test_settings_from_env_and_overrides(tmp_path):
    env = {"ECOMCRM_PG_URL": "jdbc:postgresql://db.example:5432/crm?sslmode=require", "ECOMCRM_PG_USER": "a@b",
           "ECOMCRM_PG_PASSWORD": "p:w/d", "ECOMCRM_WAREHOUSE_DIR": str(tmp_path), "ECOMCRM_CH_URL": "http://ch:8123/",
           "ECOMCRM_CH_DATABASE": "serving"}
    s = ew.Settings.from_env(env)
    assert s.sqlalchemy_url() == "postgresql+psycopg2://a%40b:p%3Aw%2Fd@db.example:5432/crm"
    assert s.warehouse_dir == tmp_path and s.ch_url == "http://ch:8123" and s.ch_database == "serving"
    o = ew.Settings.from_env(env, pg_database="ecomcrm_notebooks", ch_database="other", warehouse_dir="var/x")
    assert o.pg_url == "jdbc:postgresql://db.example:5432/ecomcrm_notebooks?sslmode=require"
    assert o.pg_database == "ecomcrm_notebooks" and o.ch_database == "other"
    assert o.warehouse_dir == ew.REPO_ROOT / "var" / "x"
    assert "p:w/d" not in repr(o)


def test_the_catalog_is_the_jdbc_one_unless_a_rest_catalog_is_named(tmp_path):
    assert ew.Settings.from_env({}).iceberg_catalog_uri is None
    sql = ew.iceberg_catalog(ew.Settings.from_env({"ECOMCRM_WAREHOUSE_DIR": str(tmp_path)}))
    assert type(sql).__name__ == "SqlCatalog" and sql.name == "lakehouse"
    env = {"ECOMCRM_ICEBERG_CATALOG_URI": "https://iceberg.example/api/catalog",
           "ECOMCRM_ICEBERG_CATALOG_CREDENTIAL": "client:very-secret", "ECOMCRM_ICEBERG_CATALOG_WAREHOUSE": "ecomcrm"}
    s = ew.Settings.from_env(env)
    assert (s.iceberg_catalog_uri, s.iceberg_catalog_credential, s.iceberg_catalog_warehouse) == (
        "https://iceberg.example/api/catalog", "client:very-secret", "ecomcrm")
    assert "very-secret" not in repr(s) and "iceberg.example" in repr(s)
    assert ew.Settings.from_env({"ECOMCRM_ICEBERG_CATALOG_URI": "  "}).iceberg_catalog_uri is None


@pytest.mark.parametrize("bad", ["x; DROP", "a-b", "1abc", "db/x"])
def test_pg_database_override_is_an_identifier(bad):
    with pytest.raises(ValueError):
        ew.Settings.from_env({}, pg_database=bad)


def test_shop_must_be_a_domain_or_all_shops():
    assert ew.check_shop("sim-1.myshopify.com") == "sim-1.myshopify.com"
    assert ew.check_shop(ew.ALL_SHOPS) == "*"
    for bad in [None, "", "sim-1", "x.myshopify.com' OR 1", "SIM.myshopify.com "]:
        with pytest.raises(ValueError):
            ew.check_shop(bad)
    assert ew.ch_shop_filter("a.myshopify.com") == "shop_id = 'a.myshopify.com'"
    assert ew.ch_shop_filter(ew.ALL_SHOPS) == "1"


# ------------------------------------------------------------------------------------------------------ literals


@pytest.mark.parametrize("value, sql", [
    ("", "''"),
    ("O'Brien", r"'O\'Brien'"),
    ("back\\slash", r"'back\\slash'"),
    ("a\nb\rc\td\0e", r"'a\nb\rc\td\0e'"),
    ("\x01\x1f\x7f", r"'\x01\x1F\x7F'"),
    ("é😀", "'é😀'"),
    ("\\'", r"'\\\''"),
])
def test_ch_string(value, sql):
    assert ew.ch_string(value) == sql


def test_ch_string_refuses_lone_surrogates_and_non_strings():
    with pytest.raises(ValueError):
        ew.ch_string("a\ud800b")
    with pytest.raises(TypeError):
        ew.ch_string(5)


def test_ch_literal_other_types():
    assert ew.ch_literal(None) == "NULL"
    assert ew.ch_literal(True) == "1" and ew.ch_literal(False) == "0"
    assert ew.ch_literal(42) == "42" and ew.ch_literal(-5) == "(-5)"
    assert ew.ch_literal(1.5) == "1.5" and ew.ch_literal(-1.5) == "(-1.5)"
    assert ew.ch_literal(dt.date(2026, 11, 28)) == "toDate('2026-11-28')"
    assert ew.ch_literal(dt.datetime(2026, 1, 2, 3, 4, 5)) == "toDateTime('2026-01-02 03:04:05', 'UTC')"
    assert ew.ch_literal(["a", 1]) == "['a', 1]"
    for bad in [float("nan"), float("inf"), object(), dt.date(999, 1, 1)]:
        with pytest.raises((TypeError, ValueError)):
            ew.ch_literal(bad)


def test_ch_render():
    sql = ew.ch_render("SELECT x - {n} FROM {t:ident} WHERE shop_id = {shop}", n=-5, t="segment_summary",
                       shop="a'.myshopify.com")
    assert sql == r"SELECT x - (-5) FROM segment_summary WHERE shop_id = 'a\'.myshopify.com'"
    with pytest.raises(KeyError):
        ew.ch_render("SELECT {missing}")
    with pytest.raises(KeyError):
        ew.ch_render("SELECT 1", unused=1)
    with pytest.raises(ValueError):
        ew.ch_render("SELECT * FROM {t:ident}", t="x; DROP TABLE y")


def test_ch_rows_refuses_a_format_of_its_own():
    with pytest.raises(ValueError):
        ew.ch_rows("SELECT 1 FORMAT TSV")


# ------------------------------------------------------------------------------------- against the real server


def random_string(rng: random.Random) -> str:
    alphabet = (["\\", "'", '"', "\n", "\r", "\t", "\0", "`", "{", "}", "?", ";", "--", "/*", "\\x", "\\'", "%"]
                + [chr(c) for c in range(0, 0x20)] + ["\x7f", "é", "ß", "€", "😀", "\u2028", "\ufeff", "\U0010ffff"])
    parts = []
    for _ in range(rng.randint(0, 40)):
        r = rng.random()
        if r < 0.4:
            parts.append(rng.choice(alphabet))
        elif r < 0.7:
            parts.append(chr(rng.randint(0x20, 0x7e)))
        else:  # any code point with a UTF-8 form (no surrogates)
            code = rng.randint(0x80, 0x10FFFF)
            parts.append(chr(code) if not 0xD800 <= code <= 0xDFFF else "x")
    return "".join(parts)


@needs_clickhouse
def test_escaping_round_trips_through_clickhouse():
    rng = random.Random(20261129)
    values = [random_string(rng) for _ in range(1500)] + ["", "'", "\\", "\\'", "'\\", "\0", "a\\0b", "\\x41"]
    settings = ew.Settings.from_env()
    for start in range(0, len(values), 100):  # 100 literals per query: fast, and one bad one still fails the batch
        batch = values[start:start + 100]
        select = "SELECT " + ", ".join(f"{ew.ch_string(v)} AS s{i}" for i, v in enumerate(batch))
        rows = ew.ch_rows(select, settings)
        assert len(rows) == 1
        for i, v in enumerate(batch):
            assert rows[0][f"s{i}"] == v, f"round trip of {v!r}"
    for v in values[:200]:  # and the single-literal form of the brief: SELECT <literal> AS s FORMAT JSONEachRow
        assert ew.ch_rows("SELECT {v} AS s", settings, v=v) == [{"s": v}]


@needs_clickhouse
def test_literals_of_other_types_round_trip():
    row = ew.ch_rows("SELECT {d} AS d, {t} AS t, {n} AS n, {big} AS big, {f} AS f, {xs} AS xs", None,
                     d=dt.date(2026, 11, 28), t=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), n=-7,
                     big=2**63 - 1, f=-0.25, xs=["a'", "b\\"])[0]
    assert row == {"d": "2026-11-28", "t": "2026-01-02 03:04:05", "n": -7, "big": 2**63 - 1, "f": -0.25,
                   "xs": ["a'", "b\\"]}


@needs_clickhouse
def test_clickhouse_errors_are_raised_with_the_server_message():
    with pytest.raises(ew.ClickHouseError, match="no_such_table_xyz"):
        ew.ch_rows("SELECT * FROM no_such_table_xyz")




def test_cents_is_exact():
    from decimal import Decimal

    import pandas as pd

    s = ew.cents(pd.Series([Decimal("0.10"), Decimal("1234567890123456.78"), None, Decimal("-3.5")]))
    assert s.tolist()[:2] == [10, 123456789012345678] and pd.isna(s[2]) and s[3] == -350
    with pytest.raises(ValueError):
        ew.cents([Decimal("0.001")])


def test_utc_makes_naive_utc_timestamps():
    import pandas as pd

    aware = pd.Series(pd.to_datetime(["2026-05-31T23:30:00+00:00", None], utc=True))
    naive = pd.Series(pd.to_datetime(["2026-05-31T23:30:00", None]))
    for series in (aware, naive, aware.dt.tz_convert("Europe/Berlin")):
        out = ew.utc(series)
        assert out.dt.tz is None and out[0] == pd.Timestamp("2026-05-31 23:30") and pd.isna(out[1])
        assert (out < pd.Timestamp("2026-06-01")).tolist() == [True, False]
