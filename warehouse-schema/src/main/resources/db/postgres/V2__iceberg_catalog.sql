-- The tables of Iceberg's JDBC catalog (catalog `lakehouse`), exactly as Iceberg 1.10's JdbcCatalog creates them
-- with jdbc.schema-version=V1 (org.apache.iceberg.jdbc.JdbcUtil: V0_CREATE_CATALOG_SQL + V1_UPDATE_CATALOG_SQL,
-- CREATE_NAMESPACE_PROPERTIES_TABLE_SQL). Creating them here means the schema is owned by the migrations; JdbcCatalog
-- finds them present at start-up and creates nothing. Do not change column names or types: JdbcCatalog's SQL uses them.

CREATE TABLE iceberg_tables (
    catalog_name               VARCHAR(255) NOT NULL,
    table_namespace            VARCHAR(255) NOT NULL,
    table_name                 VARCHAR(255) NOT NULL,
    metadata_location          VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    iceberg_type               VARCHAR(5),
    PRIMARY KEY (catalog_name, table_namespace, table_name)
);

CREATE TABLE iceberg_namespace_properties (
    catalog_name   VARCHAR(255) NOT NULL,
    namespace      VARCHAR(255) NOT NULL,
    property_key   VARCHAR(255),
    property_value VARCHAR(1000),
    PRIMARY KEY (catalog_name, namespace, property_key)
);
