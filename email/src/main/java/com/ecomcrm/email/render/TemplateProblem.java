package com.ecomcrm.email.render;

/**
 * What is wrong with a template, where: 1-based line and column in the part that failed (0 when unknown, e.g. the
 * render time limit), and a message fit to show the merchant.
 *
 * @param part which part of the template: {@code subject}, {@code html} or {@code text}
 */
public record TemplateProblem(String part, int line, int column, String message) {
    @Override
    public String toString() {
        return part + " line " + line + ", column " + column + ": " + message;
    }
}
