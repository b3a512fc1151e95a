package com.ecomcrm.bench.screens;

import com.ecomcrm.domain.ShopId;

import java.time.LocalDate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Real ids of one bench shop, read from the API before the clock starts, so every planned request asks for
 * something that exists: customers, the segments that have customers (what a merchant filters by), and
 * templates with their current subject and body (the editor previews exactly those).
 *
 * @param totalCustomers the customers the list screen pages through (0 before the first nightly run)
 * @param today the browser's date: the email performance screen asks for the 30 days ending today
 */
public record ShopSample(ShopId shop, long totalCustomers, List<String> customerIds, List<String> segmentsWithCustomers,
                         List<TemplateSample> templates, LocalDate today) {
    public ShopSample {
        requireNonNull(shop, "shop is null");
        customerIds = List.copyOf(customerIds);
        segmentsWithCustomers = List.copyOf(segmentsWithCustomers);
        templates = List.copyOf(templates);
        requireNonNull(today, "today is null");
    }

    public record TemplateSample(long id, String subject, String bodyHtml) {
        public TemplateSample {
            requireNonNull(subject, "subject is null");
            requireNonNull(bodyHtml, "bodyHtml is null");
        }
    }
}
