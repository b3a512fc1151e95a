package com.ecomcrm.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.email.render.MergeData;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeDataTest {
    @Test
    void everyAdvertisedMergeTagIsFilledInTheSampleData() {
        Map<String, Object> sample = MergeData.sample("sample-shop.myshopify.com");

        assertThat(MergeData.tags()).hasSize(13).allSatisfy(tag ->
                assertThat(MergeData.valueOf(sample, tag.name())).as(tag.name()).isNotNull());
        assertThat(MergeData.valueOf(sample, "customer.first_name")).isEqualTo("Alex");
        assertThat(MergeData.valueOf(sample, "customer.no_such_field")).isNull();
        assertThat(MergeData.valueOf(sample, "shop.name.deeper")).isNull();
    }
}
