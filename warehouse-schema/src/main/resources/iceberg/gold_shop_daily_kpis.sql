-- gold.shop_daily_kpis: one row per (shop_id, kpi_date), every UTC day from the shop's first counted order to the
-- run's logical date. Orders count by the one definition RFM uses (pipelines QualifyingOrders). Re-running a date
-- replaces the days up to it; days after it are left alone.
CREATE TABLE IF NOT EXISTS lakehouse.gold.shop_daily_kpis (
    shop_id                   STRING        NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    kpi_date                  DATE          NOT NULL COMMENT 'UTC day the figures are for',
    orders                    BIGINT                 COMMENT 'Counted orders processed that day',
    revenue                   DECIMAL(18,2)          COMMENT 'Net revenue (total minus refunds) of those orders',
    aov                       DECIMAL(18,2)          COMMENT 'Average order value: revenue / orders, half-up to cents; 0 without orders',
    new_customer_orders       BIGINT                 COMMENT 'Orders that were the first counted order',
    returning_customer_orders BIGINT                 COMMENT 'Orders of customers who had a counted order before',
    buyers                    BIGINT                 COMMENT 'Distinct customers with a counted order that day',
    customers                 BIGINT                 COMMENT 'Customers with at least one counted order up to the end of the day (cumulative)',
    repeat_customers          BIGINT                 COMMENT 'Customers with at least two counted orders up to the end of the day (cumulative)',
    repeat_rate               DECIMAL(9,4)           COMMENT 'repeat_customers / customers, half-up to 4 decimals; 0 without customers'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Daily shop KPIs over the whole order history'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
