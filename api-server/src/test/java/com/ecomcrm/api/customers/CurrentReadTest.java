package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks that keep one answer to one publication when its reads pick the current publication each by itself:
 * reads of two publications never agree, a read without rows agrees with any.
 */
class CurrentReadTest {
    private static final Publication P1 = new Publication(100, LocalDate.of(2026, 11, 28));
    private static final Publication P2 = new Publication(200, LocalDate.of(2026, 11, 29));

    @Test
    void readsOfTwoPublicationsDisagree() {
        CurrentRead<Long> count = new CurrentRead<>(Optional.of(P1), 40L);
        CurrentRead<List<String>> page = new CurrentRead<>(Optional.of(P2), List.of("a customer"));

        assertThat(count.agreesWith(page)).isFalse();
        assertThat(page.agreesWith(count)).isFalse();
    }

    @Test
    void readsOfOnePublicationAgreeAndNameIt() {
        CurrentRead<Long> count = new CurrentRead<>(Optional.of(P2), 40L);
        CurrentRead<List<String>> page = new CurrentRead<>(Optional.of(P2), List.of("a customer"));

        assertThat(count.agreesWith(page)).isTrue();
        assertThat(count.publicationOr(page)).contains(P2);
    }

    @Test
    void aReadWithoutRowsAgreesWithAnyAndTakesTheOthersPublication() {
        CurrentRead<List<String>> emptyPage = new CurrentRead<>(Optional.empty(), List.of());
        CurrentRead<Long> count = new CurrentRead<>(Optional.of(P1), 3L);

        assertThat(emptyPage.agreesWith(count)).isTrue();
        assertThat(emptyPage.publicationOr(count)).contains(P1);
        assertThat(emptyPage.publicationOr(new CurrentRead<>(Optional.empty(), 0L))).isEmpty();
    }

    @Test
    void historyAndOrdersSayWhichPublicationTheyWereReadFrom() {
        assertThat(new CurrentHistory(OptionalLong.of(200), List.of()).readUpTo(200)).isTrue();
        assertThat(new CurrentHistory(OptionalLong.of(100), List.of()).readUpTo(200)).isFalse();
        assertThat(new CurrentHistory(OptionalLong.empty(), List.of()).readUpTo(200)).isTrue();
        assertThat(new CurrentOrders(OptionalLong.of(100), 4, List.of()).readFrom(200)).isFalse();
        assertThat(new CurrentOrders(OptionalLong.of(200), 4, List.of()).readFrom(200)).isTrue();
        assertThat(new CurrentOrders(OptionalLong.empty(), 0, List.of()).readFrom(200)).isTrue();
    }
}
