"""docs/warehouse/README.md is generated from the schema files and must be up to date (item 4 of issue #9)."""
import difflib
import importlib.util
import re

import pytest

import gen_warehouse_docs as gen


def test_generated_docs_are_up_to_date():
    generated = gen.generate()
    stored = gen.OUTPUT.read_text() if gen.OUTPUT.exists() else ""
    if stored != generated:
        diff = "".join(difflib.unified_diff(stored.splitlines(True), generated.splitlines(True), "stored",
                                            "generated", n=1))
        pytest.fail("docs/warehouse/README.md is out of date: run `python3 notebooks/gen_warehouse_docs.py`\n"
                    + diff[:6000])


def test_every_table_and_column_of_the_schema_files_is_described():
    text = gen.generate()
    for path in gen._index(gen.ICEBERG_DIR):
        table = gen.parse_iceberg(path)
        assert f"### Iceberg `{table.name}`" in text
        assert all(c.description for c in table.columns)
        # every column line of the DDL made it into the table
        ddl_columns = re.findall(r"^\s{4}(\w+)\s+[A-Z]", path.read_text(), re.MULTILINE)
        assert [c.name for c in table.columns] == ddl_columns
    for table in gen.parse_clickhouse(gen._index(gen.CLICKHOUSE_DIR)):
        assert table.system != "clickhouse-other", f"unrecognised statement in {table.source}: {table.details}"
        assert f"### ClickHouse `{table.name}`" in text
        assert table.columns and all(c.description for c in table.columns), table.name


def test_every_clickhouse_example_reads_with_an_explicit_format_and_one_shop():
    text = gen.generate()
    section = text[text.index("## ClickHouse tables"):]
    for sql in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
        assert re.search(r"\bFORMAT JSONEachRow\s*$", sql), sql
        assert "schema_migrations" in sql or f"shop_id = '{gen.EXAMPLE_SHOP}'" in sql, sql
    section = text[text.index("## Iceberg tables"):text.index("## ClickHouse tables")]
    for sql in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
        assert f"shop_id = '{gen.EXAMPLE_SHOP}'" in sql, sql


def test_column_comments_in_clickhouse_migrations_are_read(tmp_path):
    migration = tmp_path / "V9__x.sql"
    migration.write_text("""-- file header, not a table description

-- A table for the test.
CREATE TABLE IF NOT EXISTS t (
    -- The shop.
    shop_id String,
    amounts Array(Tuple(String, Int64)), -- pairs, commas inside
    n UInt32 DEFAULT 0 -- a counter
) ENGINE = ReplacingMergeTree(n) PARTITION BY toYYYYMM(d) ORDER BY (shop_id, n) SETTINGS index_granularity = 8192;

-- Added later.
ALTER TABLE t ADD COLUMN IF NOT EXISTS z String AFTER n;
""")
    [table, ledger] = gen.parse_clickhouse([migration])
    assert table.name == "t" and table.description == "A table for the test."
    assert [(c.name, c.type, c.description) for c in table.columns] == [
        ("shop_id", "String", "The shop."), ("amounts", "Array(Tuple(String, Int64))", "pairs, commas inside"),
        ("n", "UInt32", "a counter"), ("z", "String", "Added later.")]
    assert table.columns[2].note == "DEFAULT 0"
    details = dict(table.details)
    assert details["engine"] == "ReplacingMergeTree(n)" and details["order by"] == "(shop_id, n)"
    assert details["partition by"] == "toYYYYMM(d)" and details["settings"] == "index_granularity = 8192"
    assert table.columns[3].note == "added in V9"
    undescribed = tmp_path / "V10__y.sql"
    undescribed.write_text("CREATE TABLE IF NOT EXISTS u (\n    shop_id String,\n    mystery UInt8\n) ENGINE = Log;\n")
    with pytest.raises(gen.SchemaError, match="u.mystery"):
        gen.parse_clickhouse([undescribed])
    assert ledger.name == "schema_migrations"
