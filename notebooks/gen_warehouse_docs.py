#!/usr/bin/env python3
"""Generates docs/warehouse/README.md, the warehouse reference, from the schema files (issue #9, item 4).

    python3 notebooks/gen_warehouse_docs.py           rewrite docs/warehouse/README.md
    python3 notebooks/gen_warehouse_docs.py --check   exit 1 (with a diff) if the file is not up to date

Sources, in the order their index.txt lists them:

* Iceberg: warehouse-schema/src/main/resources/iceberg/*.sql. The `-- ` lines above CREATE TABLE describe the table;
  each column's COMMENT describes the column; PARTITIONED BY, the table COMMENT and TBLPROPERTIES are listed.
* ClickHouse: warehouse-schema/src/main/resources/db/clickhouse/V*.sql (forward-only migrations). The `-- ` lines
  above a statement describe the table; `-- ` lines right above a column (or after it on its line) describe the
  column. Otherwise (applied migrations are never edited) a column takes its description from CLICKHOUSE_COLUMNS
  below, or from the Iceberg table the ClickHouse table serves (same name in gold, or CLICKHOUSE_MIRRORS; `x_cents`
  takes the description of `x`). A column described nowhere stops the generator: add a `-- ` comment above it.

Standard library only, so it runs with any python3; the notebook test venv runs its up-to-date test.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICEBERG_DIR = ROOT / "warehouse-schema/src/main/resources/iceberg"
CLICKHOUSE_DIR = ROOT / "warehouse-schema/src/main/resources/db/clickhouse"
OUTPUT = ROOT / "docs/warehouse/README.md"
EXAMPLE_SHOP = "sim-1.myshopify.com"

# Descriptions of ClickHouse columns whose migration has no comment for them. Keys: "table.column", or "column"
# for a meaning shared by every table.
CLICKHOUSE_COLUMNS = {
    "shop_id": "Shop domain (*.myshopify.com); every query filters on it",
    "publish_id": "Publication the row belongs to; read only rows of the shop's newest publication "
                  "(max(publish_id) in shop_publications)",
    "as_of_date": "Logical date (UTC day) the published figures are for",
    "shop_publications.published_at": "When the publication completed (UTC)",
    "shop_publications.customers": "Customers (buyers and prospects) in the publication",
    "customer_rfm.customer_id": "Shopify numeric customer id",
    "customer_rfm.recency_days": "Days since the last counted order; -1 for prospects",
    "customer_rfm.frequency": "Number of counted orders",
    "customer_rfm.monetary_cents": "Total net spend in cents of the shop currency",
    "customer_predictions.clv_low_cents": "Lower end of the 95% parameter-uncertainty interval of the 12-month CLV, in cents",
    "customer_predictions.clv_high_cents": "Upper end of the 95% parameter-uncertainty interval of the 12-month CLV, in cents",
    "customer_rfm.r_score": "Recency quintile 1-5 within the shop; 0 for prospects",
    "customer_rfm.f_score": "Frequency quintile 1-5 within the shop; 0 for prospects",
    "customer_rfm.m_score": "Monetary quintile 1-5 within the shop; 0 for prospects",
    "customer_rfm.segment": "Segment key (Segment.key(), e.g. NEEDS_ATTENTION)",
    "segment_summary.segment": "Segment key (Segment.key(), e.g. NEEDS_ATTENTION)",
    "segment_summary.customers": "Customers in the segment",
    "segment_summary.revenue_cents": "Their total net spend (sum of monetary), in cents of the shop currency",
    "customer_segment_history.publish_id": "Publication that wrote the slice; the valid slice of a date is the "
                                           "largest publish_id listed for it in segment_history_dates that is <= "
                                           "the shop's current publication",
    "segment_history_dates.publish_id": "Publication that wrote the slice (see customer_segment_history)",
    "segment_history_dates.customers": "Customers in the slice (the row is written after the slice, so a listed "
                                       "slice is complete)",
    "schema_migrations.version": "Migration version (V<version>__...sql)",
    "schema_migrations.name": "Migration file name",
    "schema_migrations.checksum": "Checksum of the file as applied; a changed applied file stops the migrator",
    "schema_migrations.applied_at": "When the migration was applied (UTC)",
}

# ClickHouse tables that serve an Iceberg table: a column with no description of its own takes the Iceberg column's
# COMMENT (`x_cents` takes `x`'s, in cents). Tables named like an Iceberg gold table mirror it without being listed.
CLICKHOUSE_MIRRORS = {
    "customer_segment_history": "gold.customer_rfm",
}

# The migration ledger is created by the migrator itself (com.ecomcrm.schema.ClickHouseMigrator), not by a file.
CLICKHOUSE_LEDGER = {
    "name": "schema_migrations",
    "description": "The migration ledger written by com.ecomcrm.schema.ClickHouseMigrator (created by the migrator, "
                   "not by a migration file). The one table not keyed by shop.",
    "columns": [("version", "UInt32"), ("name", "String"), ("checksum", "String"), ("applied_at", "DateTime")],
}

# Example queries beyond the generic one, per table. {shop} is replaced by the example shop.
ICEBERG_EXAMPLES = {
    "silver.orders": """-- Monthly orders and net revenue of one shop (not cancelled, not test)
SELECT date_trunc('MONTH', coalesce(processed_at, created_at)) AS month,
       count(*) AS orders,
       sum(total_price - coalesce(total_refunded, 0)) AS net_revenue
FROM lakehouse.silver.orders
WHERE shop_id = '{shop}' AND cancelled_at IS NULL AND NOT coalesce(test, false)
GROUP BY 1 ORDER BY 1""",
    "silver.refunds": """-- Refunds of one shop per month, with the refunded orders and customers
SELECT date_trunc('MONTH', coalesce(processed_at, created_at)) AS month,
       count(*) AS refunds, count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers,
       sum(amount) AS refunded
FROM lakehouse.silver.refunds
WHERE shop_id = '{shop}'
GROUP BY 1 ORDER BY 1""",
    "gold.customer_rfm": """-- Segment sizes and revenue of one shop, per snapshot
SELECT as_of_date, segment, count(*) AS customers, sum(monetary) AS revenue
FROM lakehouse.gold.customer_rfm
WHERE shop_id = '{shop}'
GROUP BY as_of_date, segment ORDER BY as_of_date, customers DESC""",
    "gold.segment_transitions": """-- Where the customers of one shop went since the previous snapshot
SELECT from_segment, to_segment, customers, revenue
FROM lakehouse.gold.segment_transitions
WHERE shop_id = '{shop}' AND to_date = (SELECT max(to_date) FROM lakehouse.gold.segment_transitions
                                        WHERE shop_id = '{shop}')
  AND from_segment <> to_segment
ORDER BY customers DESC""",
    "gold.shop_daily_kpis": """-- The last 30 days of one shop
SELECT kpi_date, orders, revenue, aov, buyers, repeat_rate
FROM lakehouse.gold.shop_daily_kpis
WHERE shop_id = '{shop}'
ORDER BY kpi_date DESC LIMIT 30""",
}


_VALID_SLICES = """(as_of_date, publish_id) IN (
      SELECT as_of_date, max(publish_id) FROM segment_history_dates
      WHERE shop_id = '{shop}'
        AND publish_id <= (SELECT max(publish_id) FROM shop_publications WHERE shop_id = '{shop}')
      GROUP BY as_of_date)"""

# ClickHouse tables whose generic example (rows of the newest publication) would be wrong or too thin.
CLICKHOUSE_EXAMPLES = {
    "customer_segment_history": ("Segment sizes of every published snapshot of one shop (valid slices only):", f"""\
SELECT as_of_date, segment, count() AS customers, sum(monetary_cents) / 100 AS revenue
FROM customer_segment_history
WHERE shop_id = '{{shop}}'
  AND {_VALID_SLICES}
GROUP BY as_of_date, segment
ORDER BY as_of_date, customers DESC
FORMAT JSONEachRow"""),
    "segment_history_dates": ("The snapshots of one shop that can be compared (valid slices only):", f"""\
SELECT as_of_date, publish_id, customers
FROM segment_history_dates
WHERE shop_id = '{{shop}}'
  AND {_VALID_SLICES}
ORDER BY as_of_date
FORMAT JSONEachRow"""),
    "segment_transitions": ("Where the customers of one shop went, newest publication, biggest moves first:", """\
SELECT from_date, to_date, from_segment, to_segment, customers, revenue_cents / 100 AS revenue
FROM segment_transitions
WHERE shop_id = '{shop}'
  AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = '{shop}')
  AND from_segment != to_segment
ORDER BY customers DESC
LIMIT 20
FORMAT JSONEachRow"""),
}


@dataclass
class Column:
    name: str
    type: str
    nullable: bool = True
    description: str = ""
    note: str = ""  # e.g. "added in V3"


@dataclass
class Table:
    system: str  # "iceberg" | "clickhouse"
    name: str  # "silver.orders" | "segment_summary"
    source: str  # file(s) it comes from, relative to the repository root
    description: str = ""
    columns: list[Column] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, value) lines


class SchemaError(ValueError):
    pass


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _index(directory: Path) -> list[Path]:
    lines = (directory / "index.txt").read_text().splitlines()
    return [directory / line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _sql_string(text: str) -> str:
    """The value of a single-quoted SQL string body ('' and \\' as a quote)."""
    return re.sub(r"\\(.)|''", lambda m: m.group(1) or "'", text)


def _comment_text(lines: list[str]) -> str:
    return " ".join(line.strip()[2:].strip() for line in lines).strip()


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    parts, depth, quote, current = [], 0, False, []
    for i, ch in enumerate(text):
        if ch == "'" and (i == 0 or text[i - 1] != "\\"):
            quote = not quote
        elif not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


# -------------------------------------------------------------------------------------------------------- iceberg

_ICEBERG_CREATE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?lakehouse\.(\w+)\.(\w+)\s*\($", re.IGNORECASE)
_ICEBERG_COLUMN = re.compile(
    r"^(?P<name>\w+)\s+(?P<type>[A-Z]+(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:<[^>]*>)?)"
    r"(?P<notnull>\s+NOT NULL)?(?:\s+COMMENT\s+'(?P<comment>(?:[^'\\]|\\.|'')*)')?\s*,?$", re.IGNORECASE)


def parse_iceberg(path: Path) -> Table:
    lines = path.read_text().splitlines()
    header: list[str] = []
    i = 0
    while i < len(lines) and not _ICEBERG_CREATE.match(lines[i].strip()):
        if lines[i].strip().startswith("--"):
            header.append(lines[i])
        i += 1
    if i == len(lines):
        raise SchemaError(f"{_rel(path)}: no CREATE TABLE lakehouse.<namespace>.<table> (")
    namespace, name = _ICEBERG_CREATE.match(lines[i].strip()).groups()
    description = _comment_text(header)
    description = re.sub(rf"^{namespace}\.{name}:\s*", "", description)
    description = description[:1].upper() + description[1:]
    table = Table("iceberg", f"{namespace}.{name}", _rel(path), description)
    i += 1
    while i < len(lines) and lines[i].strip() != ")":
        text = lines[i].strip()
        i += 1
        if not text or text.startswith("--"):
            continue
        m = _ICEBERG_COLUMN.match(text)
        if not m:
            raise SchemaError(f"{_rel(path)}:{i}: cannot read the column definition {text!r}")
        table.columns.append(Column(m["name"], m["type"].lower().replace(" ", ""), not m["notnull"],
                                    _sql_string(m["comment"] or "")))
    rest = "\n".join(lines[i + 1:])
    details = []
    if m := re.search(r"^USING\s+(\w+)", rest, re.MULTILINE | re.IGNORECASE):
        details.append(("format", m.group(1)))
    if m := re.search(r"^PARTITIONED BY\s*\((.*)\)\s*$", rest, re.MULTILINE | re.IGNORECASE):
        details.append(("partitioned by", m.group(1).strip()))
    if m := re.search(r"^COMMENT\s+'((?:[^'\\]|\\.|'')*)'", rest, re.MULTILINE | re.IGNORECASE):
        details.insert(0, ("table comment", _sql_string(m.group(1))))
    if m := re.search(r"TBLPROPERTIES\s*\((.*?)\)\s*$", rest, re.DOTALL | re.IGNORECASE):
        props = re.findall(r"'([^']*)'\s*=\s*'([^']*)'", m.group(1))
        details.append(("properties", ", ".join(f"`{k}` = `{v}`" for k, v in props)))
    table.details = details
    return table


# ----------------------------------------------------------------------------------------------------- clickhouse

_CH_CREATE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?(?:`?\w+`?\.)?`?(\w+)`?\s*\((.*)\)\s*(ENGINE\s*=.*)$",
                        re.IGNORECASE | re.DOTALL)
_CH_ALTER = re.compile(r"^ALTER TABLE (?:`?\w+`?\.)?`?(\w+)`?\s+(.*)$", re.IGNORECASE | re.DOTALL)
_CH_COLUMN = re.compile(r"^`?(?P<name>\w+)`?\s+(?P<type>.+?)(?P<rest>\s+(?:DEFAULT|MATERIALIZED|ALIAS|CODEC|TTL)\b.*)?$",
                        re.IGNORECASE | re.DOTALL)


def _statements(path: Path) -> list[tuple[list[str], list[str]]]:
    """The migration's statements as (comment lines above it, its lines with their comments), split where a line
    ends with ';' (the migrator's rule)."""
    result, above, body = [], [], []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not body:
            if stripped.startswith("--"):
                above.append(stripped)
                continue
            if not stripped:
                above = []  # a blank line ends a comment block that belonged to no statement (the file header)
                continue
        body.append(line)
        if stripped.endswith(";"):
            result.append((above, body))
            above, body = [], []
    if body:
        result.append((above, body))
    return result


def _columns_with_comments(body_lines: list[str], start: int, end: int, where: str) -> list[Column]:
    """Column definitions between the CREATE's parentheses, one per line, each with the `-- ` lines above it and
    the `-- ` text after it on its line."""
    columns, pending = [], []
    for line in body_lines[start:end]:
        stripped = line.strip()
        if not stripped:
            pending = []
            continue
        if stripped.startswith("--"):
            pending.append(stripped)
            continue
        code, _, trailing = stripped.partition(" --")
        code = code.strip().rstrip(",").strip()
        for part in _split_top_level(code):
            m = _CH_COLUMN.match(part)
            if not m:
                raise SchemaError(f"{where}: cannot read the column definition {part!r}")
            note = (m["rest"] or "").strip()
            description = " ".join(x for x in [_comment_text(pending), trailing.strip()] if x)
            columns.append(Column(m["name"], m["type"].strip(), m["type"].strip().startswith("Nullable"),
                                  description, note))
        pending = []
    return columns


def _mirrored(table: str, column: str, iceberg: dict[str, Table]) -> str:
    source = iceberg.get(CLICKHOUSE_MIRRORS.get(table, f"gold.{table}"))
    if source is None:
        return ""
    by_name = {c.name: c.description for c in source.columns}
    if column in by_name:
        return by_name[column]
    if column.endswith("_cents") and column[:-6] in by_name:
        return by_name[column[:-6]] + "; in cents"
    return ""


def parse_clickhouse(paths: list[Path], iceberg: dict[str, Table] | None = None) -> list[Table]:
    """The ClickHouse tables the migrations `paths` leave, described; `iceberg` (name -> table, default: the
    project's Iceberg tables) supplies the descriptions of mirrored columns."""
    if iceberg is None:
        iceberg = {t.name: t for t in (parse_iceberg(p) for p in _index(ICEBERG_DIR))}
    tables: dict[str, Table] = {}
    for path in paths:
        version = path.name.split("__")[0]
        for above, body in _statements(path):
            code_lines = [line for line in body if not line.strip().startswith("--")]
            statement = "\n".join(code_lines).strip().rstrip(";").strip()
            where = f"{_rel(path)} ({statement.splitlines()[0][:60]})"
            if m := _CH_CREATE.match(statement):
                name, engine_part = m.group(1), m.group(3)
                # The column lines: between the line holding the first '(' and the line closing it.
                first = next(i for i, line in enumerate(body) if "(" in line)
                last = max(i for i, line in enumerate(body) if re.match(r"^\s*\)", line))
                table = Table("clickhouse", name, _rel(path), _comment_text(above))
                table.columns = _columns_with_comments(body, first + 1, last, where)
                engine = re.search(r"ENGINE\s*=\s*(\w+(?:\([^)]*\))?)", engine_part, re.IGNORECASE)
                table.details.append(("engine", engine.group(1) if engine else engine_part.strip()))
                for label, keyword in (("partition by", "PARTITION BY"), ("order by", "ORDER BY"),
                                       ("primary key", "PRIMARY KEY"), ("TTL", "TTL"), ("settings", "SETTINGS")):
                    found = re.search(rf"\b{keyword}\s+(.+?)(?=\s+(?:PARTITION BY|ORDER BY|PRIMARY KEY|TTL|"
                                      rf"SETTINGS|SAMPLE BY)\b|$)", engine_part, re.IGNORECASE | re.DOTALL)
                    if found:
                        table.details.append((label, " ".join(found.group(1).split())))
                table.details.append(("created in", version))
                tables[name] = table
            elif m := _CH_ALTER.match(statement):
                name, actions = m.group(1), m.group(2)
                if name not in tables:
                    raise SchemaError(f"{where}: ALTER of a table no migration created")
                table = tables[name]
                for action in _split_top_level(actions):
                    if a := re.match(r"ADD COLUMN (?:IF NOT EXISTS )?(.*?)(?:\s+(?:AFTER\s+\w+|FIRST))?$", action,
                                     re.IGNORECASE | re.DOTALL):
                        [column] = _columns_with_comments([a.group(1)], 0, 1, where)
                        if not column.description:
                            column.description = _comment_text(above)
                        column.note = " ".join(x for x in [column.note, f"added in {version}"] if x)
                        table.columns = [c for c in table.columns if c.name != column.name] + [column]
                    elif d := re.match(r"DROP COLUMN (?:IF EXISTS )?`?(\w+)`?$", action, re.IGNORECASE):
                        table.columns = [c for c in table.columns if c.name != d.group(1)]
                    elif c := re.match(r"COMMENT COLUMN (?:IF EXISTS )?`?(\w+)`?\s+'((?:[^'\\]|\\.|'')*)'$",
                                       action, re.IGNORECASE):
                        for column in table.columns:
                            if column.name == c.group(1):
                                column.description = _sql_string(c.group(2))
                    else:
                        table.details.append((f"changed in {version}", " ".join(action.split())))
            elif m := re.match(r"^DROP TABLE (?:IF EXISTS )?(?:`?\w+`?\.)?`?(\w+)`?$", statement, re.IGNORECASE):
                tables.pop(m.group(1), None)
            elif m := re.match(r"^CREATE MATERIALIZED VIEW (?:IF NOT EXISTS )?`?(\w+)`? TO `?(\w+)`?\s+AS\s+SELECT .*?"
                               r"\bFROM `?(\w+)`?", statement, re.IGNORECASE | re.DOTALL):
                # A view that copies inserts into a table: documented on the table it fills.
                view, target, source = m.group(1), m.group(2), m.group(3)
                if target not in tables:
                    raise SchemaError(f"{where}: materialized view into a table no migration created")
                tables[target].details.append(("filled by", f"materialized view {view} from every insert into "
                                                            f"{source} ({version})"))
            elif m := re.match(r"^INSERT INTO `?(\w+)`?\s*(?:\([^)]*\))?\s*SELECT\b", statement,
                               re.IGNORECASE | re.DOTALL):
                if m.group(1) not in tables:
                    raise SchemaError(f"{where}: INSERT into a table no migration created")
                tables[m.group(1)].details.append(("backfilled in", version))
            else:
                # Views, inserts and the like: keep them visible rather than drop them silently.
                name = f"({version} statement)"
                table = Table("clickhouse-other", name, _rel(path), _comment_text(above))
                table.details.append(("statement", " ".join(statement.split())[:300]))
                tables[f"{name}{len(tables)}"] = table
    ledger = Table("clickhouse", CLICKHOUSE_LEDGER["name"], "com.ecomcrm.schema.ClickHouseMigrator",
                   CLICKHOUSE_LEDGER["description"],
                   [Column(n, t, False) for n, t in CLICKHOUSE_LEDGER["columns"]],
                   [("engine", "created by the migrator")])
    tables.setdefault(ledger.name, ledger)
    missing = []
    for table in tables.values():
        for column in table.columns:
            if not column.description:
                column.description = (CLICKHOUSE_COLUMNS.get(f"{table.name}.{column.name}")
                                      or _mirrored(table.name, column.name, iceberg or {})
                                      or CLICKHOUSE_COLUMNS.get(column.name, ""))
            if not column.description and table.system == "clickhouse":
                missing.append(f"{table.name}.{column.name} ({table.source})")
    if missing:
        raise SchemaError("ClickHouse columns with no description: add a `-- ` comment above each in its "
                          "migration:\n  " + "\n  ".join(missing))
    return list(tables.values())


# ------------------------------------------------------------------------------------------------------- markdown


# Spark SQL DDL types as Iceberg stores them (Spark's TIMESTAMP is an instant: Iceberg timestamptz).
_ICEBERG_TYPES = {"string": "string", "bigint": "long", "int": "int", "integer": "int", "smallint": "int",
                  "date": "date", "timestamp": "timestamptz", "timestamp_ntz": "timestamp", "boolean": "boolean",
                  "double": "double", "float": "float", "binary": "binary"}


def iceberg_type(spark_type: str) -> str:
    if m := re.match(r"decimal\((\d+),(\d+)\)$", spark_type):
        return f"decimal({m.group(1)}, {m.group(2)})"
    if spark_type not in _ICEBERG_TYPES:
        raise SchemaError(f"no Iceberg type known for Spark type {spark_type!r}: add it to _ICEBERG_TYPES")
    return _ICEBERG_TYPES[spark_type]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(table: Table) -> str:
    prefix = "iceberg" if table.system == "iceberg" else "clickhouse"
    return f"{prefix}-{table.name.replace('.', '-').replace('_', '-')}"


def _iceberg_examples(table: Table) -> str:
    keys = [c.name for c in table.columns if not c.nullable]
    shown = keys + [c.name for c in table.columns if c.nullable][:3]
    spark = (f"SELECT {', '.join(shown)}\nFROM lakehouse.{table.name}\nWHERE shop_id = '{EXAMPLE_SHOP}'\n"
             f"ORDER BY {', '.join(k for k in keys if k != 'shop_id') or 'shop_id'}\nLIMIT 20")
    out = ["Spark SQL (a session with the `lakehouse` catalog set up as in `pipelines`' SparkSessions):", "",
           "```sql", spark, "```", ""]
    if table.name in ICEBERG_EXAMPLES:
        out += ["```sql", ICEBERG_EXAMPLES[table.name].replace("{shop}", EXAMPLE_SHOP), "```", ""]
    out += ["pyiceberg (the notebooks' venv, `bin/notebooks-env`; run from `notebooks/`):", "", "```python",
            "import ecomcrm_warehouse as ew",
            "",
            "catalog = ew.iceberg_catalog()  # SqlCatalog 'lakehouse' on ECOMCRM_PG_URL, ECOMCRM_WAREHOUSE_DIR",
            f"df = ew.read_iceberg(catalog, \"{table.name}\", \"{EXAMPLE_SHOP}\")",
            "# the same with pyiceberg alone:",
            "from pyiceberg.expressions import EqualTo",
            f"df = catalog.load_table(\"{table.name}\").scan(row_filter=EqualTo(\"shop_id\", \"{EXAMPLE_SHOP}\"))"
            ".to_pandas()",
            "```", ""]
    return "\n".join(out)


def _clickhouse_examples(table: Table) -> str:
    names = [c.name for c in table.columns]
    shop = f"'{EXAMPLE_SHOP}'"
    if table.name in CLICKHOUSE_EXAMPLES:
        intro, sql = CLICKHOUSE_EXAMPLES[table.name]
        out = [intro, ""]
        sql = sql.replace("{shop}", EXAMPLE_SHOP)
    elif "shop_id" not in names:
        sql = f"SELECT *\nFROM {table.name}\nORDER BY {names[0]}\nFORMAT JSONEachRow"
        out = ["Not keyed by shop (one row per migration):", ""]
    elif table.name == "shop_publications":
        sql = (f"SELECT publish_id, as_of_date, published_at, customers\nFROM shop_publications\n"
               f"WHERE shop_id = {shop}\nORDER BY publish_id DESC\nLIMIT 1\nFORMAT JSONEachRow")
        out = ["The shop's newest complete publication (the one readers use):", ""]
    elif "publish_id" in names:
        shown = [n for n in names if n not in ("shop_id", "publish_id")][:6]
        sql = (f"SELECT {', '.join(shown)}\nFROM {table.name}\nWHERE shop_id = {shop}\n"
               f"  AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})\n"
               f"LIMIT 20\nFORMAT JSONEachRow")
        out = ["Rows of the shop's newest complete publication only:", ""]
    else:
        sql = f"SELECT {', '.join(names[:6])}\nFROM {table.name}\nWHERE shop_id = {shop}\nLIMIT 20\nFORMAT JSONEachRow"
        out = []
    out += ["```sql", sql, "```", ""]
    if "shop_id" in names and table.name not in CLICKHOUSE_EXAMPLES:
        where = "shop_id = {shop}"
        if "publish_id" in names and table.name != "shop_publications":
            where += " AND publish_id = {publish_id}"
        out += ["From Python (literals escaped by the helper; 18.16 has no server-side parameters):", "",
                "```python", "import ecomcrm_warehouse as ew", ""]
        if "publish_id" in names and table.name != "shop_publications":
            out += [f"publication = ew.latest_publication(\"{EXAMPLE_SHOP}\")",
                    f"rows = ew.ch_rows(\"SELECT * FROM {table.name} WHERE {where} LIMIT 20\",",
                    f"                  shop=\"{EXAMPLE_SHOP}\", publish_id=publication[\"publish_id\"])"]
        else:
            out += [f"rows = ew.ch_rows(\"SELECT * FROM {table.name} WHERE {where} LIMIT 20\",",
                    f"                  shop=\"{EXAMPLE_SHOP}\")"]
        out += ["```", ""]
    return "\n".join(out)


def render(iceberg: list[Table], clickhouse: list[Table]) -> str:
    out = [
        "# Warehouse reference",
        "",
        "<!-- Generated by notebooks/gen_warehouse_docs.py from the schema files in warehouse-schema/. Do not edit:",
        "     change the .sql files (or the descriptions in the generator) and run",
        "     `python3 notebooks/gen_warehouse_docs.py`. notebooks/run-tests fails while this file is out of date. -->",
        "",
        "Every Iceberg and ClickHouse table of EcomCRM, with every column, generated from the DDL that creates them.",
        "`docs/warehouse-contract.md` says who writes each table; `notebooks/` has analyses built on them.",
        "",
        "Rules that hold for every table:",
        "",
        "* Every table carries `shop_id`, the shop's `*.myshopify.com` domain, and **every query filters on one shop**",
        "  (all the examples do). Reading several shops at once is for explicit cross-shop analysis only.",
        "* Money: `decimal(18,2)` in the shop currency in Iceberg; integer cents (`Int64`, `*_cents`) in ClickHouse.",
        "* Timestamps are UTC instants: Spark `timestamp`, Iceberg `timestamptz`; pyiceberg returns them time-zone",
        "  aware (UTC), `ecomcrm_warehouse.utc()` makes them naive UTC. Ids are Shopify's numeric ids (`long`).",
        "* ClickHouse must run on 18.16 and current releases: an explicit `FORMAT` on every read, no window",
        "  functions, literals escaped on the client (`ecomcrm_warehouse.ch_literal`, the Java `SqlLiterals`).",
        "* ClickHouse serving tables are published atomically per shop: read only rows of the shop's newest",
        "  `publish_id` in `shop_publications`.",
        "",
        "Connecting (development defaults, docs/development.md):",
        "",
        "| what | how |",
        "| --- | --- |",
        "| Iceberg catalog | `lakehouse`, a JDBC catalog in PostgreSQL `ECOMCRM_PG_URL` (tables `iceberg_tables`, "
        "`iceberg_namespace_properties`); data files under `ECOMCRM_WAREHOUSE_DIR` |",
        "| Iceberg from Python | pyiceberg `SqlCatalog(\"lakehouse\", uri=\"postgresql+psycopg2://ecomcrm:ecomcrm@"
        "127.0.0.1:55432/ecomcrm\", warehouse=\"file:///.../var/warehouse\")`, or `ecomcrm_warehouse.iceberg_catalog()` |",
        "| ClickHouse | HTTP `ECOMCRM_CH_URL` (127.0.0.1:58123), database `ECOMCRM_CH_DATABASE` (`ecomcrm`) |",
        "",
        "```sh",
        f"curl -s 'http://127.0.0.1:58123/?database=ecomcrm' --data-binary \\",
        f"  \"SELECT segment, customers FROM segment_summary WHERE shop_id = '{EXAMPLE_SHOP}' FORMAT JSONEachRow\"",
        "```",
        "",
        "## Tables",
        "",
        "| system | table | description |",
        "| --- | --- | --- |",
    ]
    for table in iceberg + clickhouse:
        if table.system == "clickhouse-other":
            continue
        system = "Iceberg" if table.system == "iceberg" else "ClickHouse"
        out.append(f"| {system} | [`{table.name}`](#{_anchor(table)}) | {_cell(table.description.split('. ')[0])} |")
    out.append("")

    out += ["## Iceberg tables", ""]
    for table in iceberg:
        out += [f"### Iceberg `{table.name}`", f'<a id="{_anchor(table)}"></a>', "", table.description, "",
                f"Source: `{table.source}`. Spark name: `lakehouse.{table.name}`.", ""]
        out += [f"* {label}: {value if label == 'properties' else f'`{value}`' if label != 'table comment' else value}"
                for label, value in table.details]
        out += ["", "| column | Spark type | Iceberg type | null | description |", "| --- | --- | --- | --- | --- |"]
        out += [f"| `{c.name}` | `{c.type}` | `{iceberg_type(c.type)}` | {'yes' if c.nullable else 'no'} "
                f"| {_cell(c.description)} |" for c in table.columns]
        out += ["", _iceberg_examples(table)]

    out += ["## ClickHouse tables", ""]
    for table in clickhouse:
        if table.system == "clickhouse-other":
            out += [f"### ClickHouse {table.name}", "", table.description, "",
                    f"Source: `{table.source}`: `{table.details[0][1]}`", ""]
            continue
        out += [f"### ClickHouse `{table.name}`", f'<a id="{_anchor(table)}"></a>', "", table.description, "",
                f"Source: `{table.source}`.", ""]
        out += [f"* {label}: `{value}`" for label, value in table.details]
        out += ["", "| column | type | description |", "| --- | --- | --- |"]
        out += [f"| `{c.name}` | `{c.type}` | {_cell(c.description)}{' (' + _cell(c.note) + ')' if c.note else ''} |"
                for c in table.columns]
        out += ["", _clickhouse_examples(table)]
    return "\n".join(out).rstrip() + "\n"


def generate() -> str:
    iceberg = [parse_iceberg(path) for path in _index(ICEBERG_DIR)]
    for table in iceberg:
        undescribed = [c.name for c in table.columns if not c.description]
        if undescribed:
            raise SchemaError(f"{table.source}: columns without COMMENT: {', '.join(undescribed)}")
    clickhouse = parse_clickhouse(_index(CLICKHOUSE_DIR), {t.name: t for t in iceberg})
    return render(iceberg, clickhouse)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if the file is out of date")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except SchemaError as e:
        print(f"gen_warehouse_docs: {e}", file=sys.stderr)
        return 2
    current = OUTPUT.read_text() if OUTPUT.exists() else ""
    if args.check:
        if current == text:
            return 0
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                   _rel(OUTPUT) + " (stored)", _rel(OUTPUT) + " (generated)"))
        print(f"\n{_rel(OUTPUT)} is out of date: run python3 notebooks/gen_warehouse_docs.py", file=sys.stderr)
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {_rel(OUTPUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
