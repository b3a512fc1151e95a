package com.ecomcrm.email.render;

import static java.util.Objects.requireNonNull;

/** A template that cannot be rendered: a syntax error, a refused construct, a missing value, or the time limit. */
public final class TemplateRenderException extends Exception {
    private final TemplateProblem problem;

    public TemplateRenderException(TemplateProblem problem, Throwable cause) {
        super(requireNonNull(problem, "problem is null").toString(), cause);
        this.problem = problem;
    }

    public TemplateProblem problem() {
        return problem;
    }
}
