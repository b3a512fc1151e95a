package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationSummaryTest {
    private static final LocalDate END = LocalDate.of(1997, 9, 30);

    private static Purchase buy(String id, String date, String amount) {
        return new Purchase(id, LocalDate.parse(date), new BigDecimal(amount));
    }

    @Test
    void summarisesInWeeksWithSameDayPurchasesMergedAndTheFirstPurchaseLeftOutOfTheMeanValue() {
        List<Purchase> purchases = List.of(
                buy("a", "1997-01-01", "29.33"),
                buy("a", "1997-01-18", "20.00"), buy("a", "1997-01-18", "9.73"),
                buy("a", "1997-08-02", "14.96"),
                buy("a", "1997-12-12", "26.48"));
        CustomerHistory a = CalibrationSummary.of(purchases, END).get(0);
        assertThat(a.frequency()).isEqualTo(2);
        assertThat(a.recency()).isCloseTo(213 / 7.0, within(1e-12));
        assertThat(a.age()).isCloseTo(272 / 7.0, within(1e-12));
        assertThat(a.meanRepeatValue()).isCloseTo((29.73 + 14.96) / 2, within(1e-12));
    }

    @Test
    void zeroValuePurchasesCountAsPurchaseDays() {
        List<Purchase> purchases = List.of(buy("z", "1997-03-01", "0.00"), buy("z", "1997-04-01", "0.00"),
                buy("z", "1997-05-01", "10.00"));
        CustomerHistory z = CalibrationSummary.of(purchases, END).get(0);
        assertThat(z.frequency()).isEqualTo(2);
        assertThat(z.meanRepeatValue()).isEqualTo(5.0);
    }

    @Test
    void onlyFirstPurchaseMeansNoRepeatsNoRecencyNoMeanValue() {
        CustomerHistory once = CalibrationSummary.of(List.of(buy("o", "1997-09-30", "12.00")), END).get(0);
        assertThat(once).isEqualTo(new CustomerHistory("o", 0, 0, 0, 0));
    }

    @Test
    void customersFirstSeenAfterCalibrationAreLeftOutAndHoldoutCountsDistinctDays() {
        List<Purchase> purchases = List.of(
                buy("a", "1997-02-01", "10"), buy("a", "1997-09-30", "10"), buy("a", "1997-10-01", "10"),
                buy("a", "1997-10-01", "5"), buy("a", "1998-06-30", "10"), buy("a", "1998-07-01", "10"),
                buy("late", "1997-10-02", "10"), buy("b", "1997-03-01", "10"));
        assertThat(CalibrationSummary.of(purchases, END)).extracting(CustomerHistory::id).containsExactly("a", "b");
        Map<String, Integer> holdout = CalibrationSummary.holdoutPurchaseDays(purchases, END,
                LocalDate.of(1998, 6, 30));
        assertThat(holdout).containsExactly(Map.entry("a", 2), Map.entry("b", 0));
    }

    @Test
    void historiesRejectImpossibleSummaries() {
        assertThatThrownBy(() -> new CustomerHistory("x", 1, 5, 4, 10)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot summarise customer x: recency 5.0 is outside 0..4.0 weeks");
        assertThatThrownBy(() -> new CustomerHistory("x", 0, 0, 4, 10)).isInstanceOf(DomainException.class)
                .hasMessageContaining("without repeat purchases");
        assertThatThrownBy(() -> new Purchase("x", END, new BigDecimal("-1"))).isInstanceOf(DomainException.class)
                .hasMessageContaining("is negative");
    }
}
