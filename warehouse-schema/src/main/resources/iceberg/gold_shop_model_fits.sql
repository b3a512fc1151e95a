-- gold.shop_model_fits: the fitted BG/NBD and Gamma-Gamma parameters of every shop with buyers, per (shop_id,
-- as_of_date), with the fit status and approximate standard errors of the log-parameters. Written by pipelines
-- PredictionsJob; the (as_of_date) slice is replaced by one overwrite. v is in the shop's currency.
CREATE TABLE IF NOT EXISTS lakehouse.gold.shop_model_fits (
    shop_id              STRING  NOT NULL COMMENT 'Shop domain (*.myshopify.com)',
    as_of_date           DATE    NOT NULL COMMENT 'Day the models were fitted for',
    status               STRING  NOT NULL COMMENT 'OWN (own maximum likelihood), BLENDED (posterior mode with the pooled prior) or POOLED (the prior itself)',
    buyers               BIGINT           COMMENT 'Customers with at least one counted order',
    repeat_buyers        BIGINT           COMMENT 'Buyers with at least one repeat purchase day (x > 0)',
    history_days         INT              COMMENT 'Days from the shop first counted order to the as-of date',
    r                    DOUBLE           COMMENT 'BG/NBD r (shape of the purchase-rate Gamma)',
    alpha                DOUBLE           COMMENT 'BG/NBD alpha (rate of the purchase-rate Gamma, weeks)',
    a                    DOUBLE           COMMENT 'BG/NBD a (dropout Beta)',
    b                    DOUBLE           COMMENT 'BG/NBD b (dropout Beta)',
    bgnbd_log_likelihood DOUBLE           COMMENT 'BG/NBD log-likelihood of the shop histories at r, alpha, a, b',
    p                    DOUBLE           COMMENT 'Gamma-Gamma p (shape of a purchase value)',
    q                    DOUBLE           COMMENT 'Gamma-Gamma q (shape of the value-rate Gamma)',
    v                    DOUBLE           COMMENT 'Gamma-Gamma v (rate of the value-rate Gamma, shop currency)',
    gg_log_likelihood    DOUBLE           COMMENT 'Gamma-Gamma log-likelihood of the shop repeat buyers at p, q, v; 0 without any',
    converged            BOOLEAN          COMMENT 'Both optimisations stopped on their convergence tests (POOLED: false)',
    se_log_r             DOUBLE           COMMENT 'Approximate standard error of ln r',
    se_log_alpha         DOUBLE           COMMENT 'Approximate standard error of ln alpha',
    se_log_a             DOUBLE           COMMENT 'Approximate standard error of ln a',
    se_log_b             DOUBLE           COMMENT 'Approximate standard error of ln b',
    se_log_p             DOUBLE           COMMENT 'Approximate standard error of ln p',
    se_log_q             DOUBLE           COMMENT 'Approximate standard error of ln q',
    se_log_v             DOUBLE           COMMENT 'Approximate standard error of ln v'
)
USING iceberg
PARTITIONED BY (shop_id)
COMMENT 'Per-shop predictive model parameters, status and diagnostics per day'
TBLPROPERTIES (
    'format-version' = '2',
    'write.merge.mode' = 'copy-on-write',
    'write.update.mode' = 'copy-on-write',
    'write.delete.mode' = 'copy-on-write',
    'write.distribution-mode' = 'hash',
    'write.metadata.delete-after-commit.enabled' = 'true',
    'write.metadata.previous-versions-max' = '50'
)
