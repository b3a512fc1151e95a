package com.ecomcrm.email.render;

/** A rendered email: subject and text are plain text, html is auto-escaped HTML; text may be null. */
public record RenderedEmail(String subject, String html, String text) {
}
