package com.ecomcrm.domain;

/**
 * A customer's recency, frequency and monetary scores within their shop, each 1 (worst) to 5 (best).
 *
 * <p>Frequency and monetary value are combined into one FM score, as on Shopify's own RFM grid: the mean of the
 * two, rounded half up, so that the segment map is a 5 x 5 grid of recency against FM.
 */
public record RfmScores(int recency, int frequency, int monetary) {
    public RfmScores {
        checkScore("recency", recency);
        checkScore("frequency", frequency);
        checkScore("monetary", monetary);
    }

    public int frequencyMonetary() {
        return (frequency + monetary + 1) / 2;
    }

    public Segment segment() {
        return RfmSegmentMap.segmentOf(this);
    }

    private static void checkScore(String name, int score) {
        if (score < 1 || score > 5) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot score " + name + ": " + score + " is outside 1..5");
        }
    }
}
