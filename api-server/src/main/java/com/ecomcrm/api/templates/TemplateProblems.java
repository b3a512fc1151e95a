package com.ecomcrm.api.templates;

import com.ecomcrm.email.render.TemplateProblem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * A template the locked-down renderer refused: answered 422 with every problem's place, nothing saved or sent.
 * {@code {"error":"INVALID_TEMPLATE","message","field","problems":[{"part","line","column","message"}]}}; field is
 * the request field of the first problem ({@code subject} or {@code bodyHtml}).
 */
final class TemplateProblems extends RuntimeException {
    static final int STATUS = 422;

    private final List<TemplateProblem> problems;

    TemplateProblems(List<TemplateProblem> problems) {
        super("The template cannot be rendered: " + problems.get(0), null, false, false);
        this.problems = List.copyOf(problems);
    }

    List<TemplateProblem> problems() {
        return problems;
    }

    static JsonArray json(List<TemplateProblem> problems) {
        return new JsonArray(problems.stream().map(p -> new JsonObject()
                .put("part", field(p.part()))
                .put("line", p.line())
                .put("column", p.column())
                .put("message", p.message())).toList());
    }

    static String field(String part) {
        return "html".equals(part) ? "bodyHtml" : part;
    }

    void answer(RoutingContext ctx) {
        TemplateProblem first = problems.get(0);
        ctx.response().setStatusCode(STATUS).putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("error", "INVALID_TEMPLATE")
                        .put("message", "The template cannot be rendered: " + field(first.part()) + " line "
                                + first.line() + ", column " + first.column() + ": " + first.message())
                        .put("field", field(first.part()))
                        .put("problems", json(problems)).encode());
    }
}
