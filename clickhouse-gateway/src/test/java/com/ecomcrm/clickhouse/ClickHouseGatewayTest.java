package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClickHouseGatewayTest {

    @Test
    void anUnreachableServerIsReportedAsUnavailableWithItsUrl() throws IOException {
        String url = "http://127.0.0.1:" + freePort();
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(new ClickHouseSettings(url, "ecomcrm", "default", ""))) {
            assertThat(gateway.admin().ping()).isFalse();
            assertThatThrownBy(() -> gateway.forShop(ShopId.of("acme.myshopify.com")).currentPublication())
                    .isInstanceOf(DomainException.class)
                    .hasMessageStartingWith("Cannot reach ClickHouse at " + url + ": ")
                    .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThatThrownBy(() -> gateway.admin().execute("SELECT 1"))
                    .isInstanceOf(DomainException.class)
                    .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
        }
    }

    /** A port nothing listens on: bound, then released. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
