package com.ecomcrm.domain;

import static com.ecomcrm.domain.Segment.ACTIVE;
import static com.ecomcrm.domain.Segment.ALMOST_LOST;
import static com.ecomcrm.domain.Segment.AT_RISK;
import static com.ecomcrm.domain.Segment.CHAMPIONS;
import static com.ecomcrm.domain.Segment.DORMANT;
import static com.ecomcrm.domain.Segment.LOYAL;
import static com.ecomcrm.domain.Segment.NEEDS_ATTENTION;
import static com.ecomcrm.domain.Segment.NEW;
import static com.ecomcrm.domain.Segment.PREVIOUSLY_LOYAL;
import static com.ecomcrm.domain.Segment.PROMISING;

/**
 * The score-to-segment map, written down once. Rows are the recency score (5 = bought most recently), columns the
 * FM score (5 = most orders and spend). The cells follow the descriptions Shopify gives for each RFM group:
 *
 * <pre>
 *  R \ FM |  1             2             3                4            5
 *  -------+-----------------------------------------------------------------------------
 *    5    |  New           Promising     Active           Champions    Champions
 *    4    |  Promising     Promising     Active           Loyal        Loyal
 *    3    |  Needs att.    Needs att.    Needs att.       Loyal        Loyal
 *    2    |  Almost lost   Almost lost   At risk          At risk      Previously loyal
 *    1    |  Dormant       Dormant       Almost lost      At risk      Previously loyal
 * </pre>
 *
 * Customers without any counted order are {@link Segment#PROSPECTS} and are never scored.
 */
public final class RfmSegmentMap {
    private static final Segment[][] GRID = {
            // FM:   1               2               3                4         5
            /* R1 */ {DORMANT, DORMANT, ALMOST_LOST, AT_RISK, PREVIOUSLY_LOYAL},
            /* R2 */ {ALMOST_LOST, ALMOST_LOST, AT_RISK, AT_RISK, PREVIOUSLY_LOYAL},
            /* R3 */ {NEEDS_ATTENTION, NEEDS_ATTENTION, NEEDS_ATTENTION, LOYAL, LOYAL},
            /* R4 */ {PROMISING, PROMISING, ACTIVE, LOYAL, LOYAL},
            /* R5 */ {NEW, PROMISING, ACTIVE, CHAMPIONS, CHAMPIONS},
    };

    private RfmSegmentMap() {
    }

    public static Segment segmentOf(RfmScores scores) {
        return GRID[scores.recency() - 1][scores.frequencyMonetary() - 1];
    }
}
