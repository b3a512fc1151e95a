package com.ecomcrm.pipelines.insights;

/**
 * Rephrases an insight's title and body. The default keeps the template text; a narrator must never change the
 * numbers, the action or the id, and must fall back to the template text when it cannot answer.
 */
public interface InsightNarrator {
    InsightNarrator TEMPLATES = insight -> insight;

    Insight narrate(Insight insight);
}
