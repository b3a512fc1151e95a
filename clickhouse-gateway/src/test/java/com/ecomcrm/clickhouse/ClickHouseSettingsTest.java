package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClickHouseSettingsTest {

    @Test
    void anEmptyEnvironmentGivesTheLocalDevelopmentServer() {
        assertThat(ClickHouseSettings.fromEnvironment(Map.of()))
                .isEqualTo(new ClickHouseSettings("http://127.0.0.1:58123", "ecomcrm", "default", ""));
    }

    @Test
    void variablesOverrideTheDefaults() {
        ClickHouseSettings s = ClickHouseSettings.fromEnvironment(Map.of(
                "ECOMCRM_CH_URL", "https://ch.example.com:8443/",
                "ECOMCRM_CH_DATABASE", "crm",
                "ECOMCRM_CH_USER", "app",
                "ECOMCRM_CH_PASSWORD", "s3cret"));
        assertThat(s).isEqualTo(new ClickHouseSettings("https://ch.example.com:8443", "crm", "app", "s3cret"));
    }

    @Test
    void thePasswordIsNeverPrinted() {
        assertThat(new ClickHouseSettings("http://h:1", "d", "u", "s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void aMalformedUrlOrDatabaseFailsAtStartUp() {
        assertThatThrownBy(() -> new ClickHouseSettings("127.0.0.1:58123", "ecomcrm", "default", ""))
                .isInstanceOf(DomainException.class);
        assertThatThrownBy(() -> new ClickHouseSettings("http://127.0.0.1:58123", "ecom-crm", "default", ""))
                .isInstanceOf(DomainException.class);
    }
}
