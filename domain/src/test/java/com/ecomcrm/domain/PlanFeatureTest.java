package com.ecomcrm.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlanFeatureTest {
    @Test
    void eachPlanIncludesWhatTheCheaperPlansInclude() {
        assertThat(PlanFeature.of("free")).containsExactly(PlanFeature.SEGMENTS, PlanFeature.CUSTOMER_LIST,
                PlanFeature.KPIS, PlanFeature.EMAIL_FLOWS);
        assertThat(PlanFeature.of("starter")).containsAll(PlanFeature.of("free"))
                .contains(PlanFeature.CSV_EXPORT, PlanFeature.PREDICTIONS)
                .doesNotContain(PlanFeature.SEGMENT_MOVEMENT, PlanFeature.OWN_SENDER_DOMAIN);
        assertThat(PlanFeature.of("growth")).containsAll(PlanFeature.of("starter"))
                .contains(PlanFeature.SEGMENT_MOVEMENT, PlanFeature.OWN_SENDER_DOMAIN)
                .doesNotContain(PlanFeature.PRIORITY_SUPPORT);
        assertThat(PlanFeature.of("pro")).containsExactly(PlanFeature.values());
    }

    @Test
    void anUnknownOrMissingPlanCountsAsFree() {
        assertThat(PlanFeature.of("platinum")).isEqualTo(PlanFeature.of("free"));
        assertThat(PlanFeature.of(null)).isEqualTo(PlanFeature.of("free"));
        assertThat(PlanFeature.CSV_EXPORT.includedIn(" Starter ")).isTrue();
    }

    @Test
    void aFeatureNamesThePlansThatIncludeIt() {
        assertThat(PlanFeature.OWN_SENDER_DOMAIN.plans()).containsExactly("growth", "pro");
        assertThat(PlanFeature.fromKey("csv_export")).contains(PlanFeature.CSV_EXPORT);
        assertThat(PlanFeature.fromKey("teleport")).isEmpty();
    }
}
