package com.ecomcrm.email.render;

import static java.util.Objects.requireNonNull;

/**
 * The source of one email template version. {@code cacheKey} names an immutable version (e.g. {@code 42:3} for
 * template 42 version 3) so its parsed form can be reused; null means "do not cache" (previews of unsaved text).
 */
public record TemplateContent(String cacheKey, String subject, String html, String text) {
    public TemplateContent {
        requireNonNull(subject, "subject is null");
        requireNonNull(html, "html is null");
    }
}
