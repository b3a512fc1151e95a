package com.ecomcrm.jobs;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

/** One row of {@code flows}. {@code templateId} is null until a template is linked. */
public record Flow(long id, ShopId shop, FlowKind kind, boolean enabled, int delayMinutes, JsonNode conditions,
                   JsonNode settings, Long templateId) {
}
