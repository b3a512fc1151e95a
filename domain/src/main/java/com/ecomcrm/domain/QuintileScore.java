package com.ecomcrm.domain;

/**
 * The 1-5 score of a value among a shop's customers.
 *
 * <p>A customer's score depends only on how many customers of the same shop are strictly worse: score =
 * 1 + floor(5 * worse / total). Equal values therefore always get equal scores, whatever order the rows arrive in,
 * which is what makes the scores deterministic under ties (the common case: most customers have one order). In SQL
 * terms, for "higher is better" {@code worse = rank() - 1} over the ascending order.
 */
public final class QuintileScore {
    private QuintileScore() {
    }

    public static int of(long strictlyWorse, long total) {
        if (total <= 0 || strictlyWorse < 0 || strictlyWorse >= total) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot score: " + strictlyWorse + " worse out of " + total + " customers");
        }
        return (int) (1 + (5 * strictlyWorse) / total);
    }
}
