package com.ecomcrm.bench;

/**
 * What the run generated. The bulk shops go through the bulk import; the webhook shop only through the webhook
 * intake (its deliveries land too and are part of the pipeline's input).
 */
public record DataSizes(int shops, long customers, long orders, long lines, int webhookShops, long webhookDeliveries) {
}
