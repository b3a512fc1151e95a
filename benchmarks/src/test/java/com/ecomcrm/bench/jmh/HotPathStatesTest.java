package com.ecomcrm.bench.jmh;

import com.ecomcrm.email.render.TemplateRenderException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks measure what they say: the inputs their states build, and what one call returns. */
class HotPathStatesTest {
    @Test
    void webhookPayloadIsAnOrderOfAboutThreeKilobytesAndOnlyTheValidSignatureVerifies() {
        byte[] payload = WebhookSignatureBench.orderPayloadOfAbout(WebhookSignatureBench.TARGET_BYTES);
        assertThat(payload.length).isBetween(3_000, 4_500);
        WebhookSignatureBench bench = new WebhookSignatureBench();
        bench.setUp();
        assertThat(bench.verifyValidSignature()).isTrue();
        assertThat(bench.rejectForgedSignature()).isFalse();
    }

    @Test
    void templateBenchmarkRendersTheProductsEscapedInEveryPart() throws TemplateRenderException {
        TemplateRenderBench bench = new TemplateRenderBench();
        bench.setUp();
        try {
            assertThat(bench.renderSavedTemplate().html()).contains("Canvas tote").contains("WELCOME10");
            assertThat(bench.renderUnsavedPreview().text()).contains("- Linen shirt: 49.00");
        }
        finally {
            bench.tearDown();
        }
    }

    @Test
    void likelihoodBenchmarkEvaluatesAFiniteLikelihoodAndGradient() {
        BgNbdLikelihoodBench bench = new BgNbdLikelihoodBench();
        bench.customers = 10_000;
        bench.setUp();
        assertThat(bench.logLikelihood()).isNegative().isFinite();
        double[] gradient = bench.logLikelihoodAndGradient();
        assertThat(gradient).hasSize(4);
        for (double g : gradient) {
            assertThat(g).isFinite();
        }
        assertThat(bench.groupHistories()).isNotEmpty();
    }
}
