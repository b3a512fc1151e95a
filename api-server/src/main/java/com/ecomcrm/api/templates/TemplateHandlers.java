package com.ecomcrm.api.templates;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.flows.JsonBody;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.api.settings.EmailAddress;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.DkimKey;
import com.ecomcrm.email.mail.MailSender;
import com.ecomcrm.email.mail.ShopSender;
import com.ecomcrm.email.render.MergeData;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.starter.StarterTemplates;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The template routes, all for the session token's shop. Every template text is checked by rendering it with the
 * locked-down renderer (the one the send job uses) against sample data before anything is saved: a syntax error,
 * a reach for Java classes ({@code ?new}, {@code ?api}), an include that is not one of the shop's own templates, or
 * the time limit gives 422 with line and column, and nothing is stored.
 * <ul>
 *   <li>{@code GET /api/templates}: {@code {"templates":[{"id","name","subject","version","updatedAt","flowIds"}]}}</li>
 *   <li>{@code POST /api/templates {"name","subject","bodyHtml"}}: 201 with the template; or
 *   {@code {"name","subject"?,"starter":"<flow kind>"}}: the flow's responsive starter ({@link StarterTemplates}),
 *   subject defaulting to the starter's</li>
 *   <li>{@code GET /api/templates/{id}}: {@code {"id","name","subject","bodyHtml","version","updatedAt","flowIds"}}</li>
 *   <li>{@code PUT /api/templates/{id} {"subject","bodyHtml"}}: a new version</li>
 *   <li>{@code GET /api/templates/{id}/versions}, {@code GET /api/templates/{id}/versions/{v}}</li>
 *   <li>{@code POST /api/templates/preview {"subject","bodyHtml","customerId"?}}: {@code {"subject","html","text",
 *   "problems"}}, with sample data or one of the shop's customers</li>
 *   <li>{@code POST /api/templates/{id}/test-send {"to"?,"customerId"?}}: 202 {@code {"sendId","to"}}</li>
 *   <li>{@code GET /api/merge-tags}: {@code {"tags":[{"name","description","example"}]}}</li>
 * </ul>
 */
public final class TemplateHandlers {
    static final int MAX_NAME = 200;
    static final int MAX_SUBJECT = 500;
    static final int MAX_BODY = 256 * 1024;

    private final Vertx vertx;
    private final Pool postgres;
    private final TemplateStore store;
    private final TemplateRenderer renderer;
    private final CustomerMergeData mergeData;
    private final TestSender testSender;
    private final MailSender mail;
    private final TestSendLimit limit;

    public TemplateHandlers(Vertx vertx, Pool postgres, MailSender mail, TrackingLinks links,
                            TestSendLimit limit, SecretCipher cipher) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.store = new TemplateStore(postgres);
        this.renderer = new TemplateRenderer(new StoredTemplateSource(postgres));
        this.mergeData = new CustomerMergeData(postgres);
        this.mail = requireNonNull(mail, "mail is null");
        this.testSender = new TestSender(vertx, postgres, renderer, mail, links, cipher);
        this.limit = requireNonNull(limit, "limit is null");
    }

    public Handler<RoutingContext> list() {
        return ctx -> store.list(shop(ctx))
                .map(templates -> new JsonObject().put("templates", new JsonArray(templates.stream()
                        .map(t -> summary(t)).toList())))
                .onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> create() {
        return ctx -> {
            ShopId shop = shop(ctx);
            JsonBody body = JsonBody.of(ctx, "create the template");
            String name = body.requiredString("name", MAX_NAME).strip();
            if (name.isEmpty()) {
                throw body.invalid("name", "name must not be blank");
            }
            Optional<StarterTemplates.Starter> starter = starter(body);
            String subject = starter.isEmpty() ? body.requiredString("subject", MAX_SUBJECT)
                    : body.optionalString("subject", MAX_SUBJECT).filter(text -> !text.isBlank())
                    .orElse(starter.get().subject());
            String html = starter.map(StarterTemplates.Starter::bodyHtml)
                    .orElseGet(() -> body.requiredString("bodyHtml", MAX_BODY));
            validated(shop, subject, html)
                    .compose(ok -> store.create(shop, name, subject, html))
                    .compose(id -> {
                        renderer.invalidate(shop); // another template may include this one by name
                        return store.find(shop, id);
                    })
                    .onSuccess(t -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                            .end(detail(t).encode()))
                    .onFailure(failure -> fail(ctx, failure));
        };
    }

    /** The flow starter a new template begins from ({@code "starter": "<flow kind>"}), instead of a body. */
    private static Optional<StarterTemplates.Starter> starter(JsonBody body) {
        Optional<String> kind = body.optionalString("starter", 64).map(String::strip);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        if (body.has("bodyHtml")) {
            throw body.invalid("starter", "Give either bodyHtml or starter, not both: a starter is a whole body");
        }
        return Optional.of(StarterTemplates.of(kind.get()).orElseThrow(() -> body.invalid("starter", "starter must "
                + "be the kind of a flow of the library: " + String.join(", ", StarterTemplates.all().stream()
                .map(StarterTemplates.Starter::kind).toList()))));
    }

    public Handler<RoutingContext> get() {
        return ctx -> store.find(shop(ctx), JsonBody.pathId(ctx, "id")).map(TemplateHandlers::detail)
                .onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> update() {
        return ctx -> {
            ShopId shop = shop(ctx);
            long id = JsonBody.pathId(ctx, "id");
            JsonBody body = JsonBody.of(ctx, "save template " + id);
            String subject = body.requiredString("subject", MAX_SUBJECT);
            String html = body.requiredString("bodyHtml", MAX_BODY);
            store.find(shop, id)
                    .compose(found -> validated(shop, subject, html))
                    .compose(ok -> store.addVersion(shop, id, subject, html))
                    .compose(version -> {
                        renderer.invalidate(shop);
                        return store.find(shop, id);
                    })
                    .map(TemplateHandlers::detail)
                    .onSuccess(ctx::json).onFailure(failure -> fail(ctx, failure));
        };
    }

    public Handler<RoutingContext> versions() {
        return ctx -> store.versions(shop(ctx), JsonBody.pathId(ctx, "id"))
                .map(versions -> new JsonObject().put("versions", new JsonArray(versions.stream()
                        .map(v -> new JsonObject().put("version", v.version()).put("subject", v.subject())
                                .put("createdAt", v.createdAt().toString())).toList())))
                .onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> version() {
        return ctx -> {
            long id = JsonBody.pathId(ctx, "id");
            long version = JsonBody.pathId(ctx, "version");
            if (version > Integer.MAX_VALUE) {
                throw new ParameterException(ErrorCode.INVALID_INPUT, "version", "Cannot read version: too large");
            }
            store.version(shop(ctx), id, (int) version)
                    .map(v -> new JsonObject().put("version", v.version()).put("subject", v.subject())
                            .put("bodyHtml", v.bodyHtml()).put("createdAt", v.createdAt().toString()))
                    .onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> preview() {
        return ctx -> {
            ShopId shop = shop(ctx);
            JsonBody body = JsonBody.of(ctx, "preview the template");
            String subject = body.requiredString("subject", MAX_SUBJECT);
            String html = body.requiredString("bodyHtml", MAX_BODY);
            Optional<Long> customerId = body.optionalId("customerId");
            mergeData.model(shop, customerId)
                    .compose(model -> vertx.executeBlocking(() -> preview(shop, subject, html, model), false))
                    .onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> testSend() {
        return ctx -> {
            ShopId shop = shop(ctx);
            long id = JsonBody.pathId(ctx, "id");
            JsonBody body = ctx.body() == null || ctx.body().length() <= 0 ? null
                    : JsonBody.of(ctx, "send a test of template " + id);
            Optional<String> to = body == null ? Optional.empty() : body.optionalString("to", 254).map(String::strip);
            if (to.isPresent() && !EmailAddress.valid(to.get())) {
                throw body.invalid("to", "to must be an email address like name@example.com");
            }
            Optional<Long> customerId = body == null ? Optional.empty() : body.optionalId("customerId");
            store.find(shop, id)
                    .compose(template -> {
                        if (!limit.tryTake(shop)) {
                            return Future.failedFuture(new TooManyTestSends(limit));
                        }
                        return recipient(shop, to).compose(recipient -> mergeData.model(shop, customerId)
                                .compose(model -> sender(shop).compose(sender ->
                                        testSender.send(shop, template, recipient, customerId, model, sender))));
                    })
                    .onSuccess(sent -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                            .end(new JsonObject().put("sendId", sent.sendId()).put("to", sent.to()).encode()))
                    .onFailure(failure -> fail(ctx, failure));
        };
    }

    public Handler<RoutingContext> mergeTags() {
        return ctx -> {
            Map<String, Object> sample = MergeData.sample(shop(ctx).domain());
            ctx.json(new JsonObject().put("tags", new JsonArray(MergeData.tags().stream()
                    .map(tag -> new JsonObject().put("name", tag.name()).put("description", tag.description())
                            .put("example", example(MergeData.valueOf(sample, tag.name()))))
                    .toList())));
        };
    }

    private static Object example(Object value) {
        if (value instanceof List<?> list) {
            return new JsonArray(list.stream().map(v -> v instanceof Map<?, ?> m
                    ? new JsonObject(new java.util.LinkedHashMap<>(castMap(m))) : v).toList());
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private JsonObject preview(ShopId shop, String subject, String html, Map<String, Object> model) {
        try {
            RenderedEmail rendered = renderer.render(shop, new TemplateContent(null, subject, html, null), model);
            return new JsonObject().put("subject", rendered.subject()).put("html", rendered.html())
                    .put("text", rendered.text() != null ? rendered.text() : MailSender.textFromHtml(rendered.html()))
                    .put("problems", new JsonArray());
        }
        catch (TemplateRenderException e) {
            return new JsonObject().putNull("subject").putNull("html").putNull("text")
                    .put("problems", TemplateProblems.json(List.of(e.problem())));
        }
    }

    /** Succeeds when the texts render with sample data; fails with {@link TemplateProblems} otherwise. */
    private Future<Void> validated(ShopId shop, String subject, String html) {
        return vertx.executeBlocking(() -> renderer.validate(shop, new TemplateContent(null, subject, html, null)),
                        false)
                .compose(problems -> problems.isEmpty() ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new TemplateProblems(problems)));
    }

    /** The given address, else the shop's own ({@code shops.email}). */
    private Future<String> recipient(ShopId shop, Optional<String> to) {
        if (to.isPresent()) {
            return Future.succeededFuture(to.get());
        }
        return postgres.preparedQuery("SELECT email FROM shops WHERE shop_domain = $1").execute(Tuple.of(shop.domain()))
                .compose(rows -> {
                    String email = rows.size() == 0 ? null : rows.iterator().next().getString("email");
                    return email == null || email.isBlank()
                            ? Future.failedFuture(new ParameterException(ErrorCode.INVALID_INPUT, "to",
                            "Cannot send a test: the shop has no email address on file; give one in \"to\""))
                            : Future.succeededFuture(email);
                });
    }

    /**
     * The shop's sender as the send job decides it (name: its setting, else the shop's name, else its handle; the
     * merchant's From address while its domain is verified, else the app's with replies to the merchant), its postal
     * address, and the verified domain's sealed key when the From address is at it.
     */
    private Future<TestSender.Sender> sender(ShopId shop) {
        return postgres.preparedQuery("SELECT e.from_name, e.reply_to, e.from_address, e.postal_address, "
                        + "s.name AS shop_name, s.email AS merchant_email, d.domain AS verified_domain, "
                        + "d.dkim_selector, d.dkim_private_key FROM (SELECT 1) one "
                        + "LEFT JOIN shop_email_settings e ON e.shop_domain = $1 "
                        + "LEFT JOIN shops s ON s.shop_domain = $1 "
                        + "LEFT JOIN sender_domains d ON d.shop_domain = $1 AND d.verified_at IS NOT NULL "
                        + "AND d.dkim_key_ref = '" + DkimKey.SEALED_REF + "' AND d.dkim_private_key IS NOT NULL "
                        + "AND d.domain = lower(split_part(e.from_address, '@', 2)) "
                        // A shop whose plan lost the own sender domain sends from the app's address (PlanFeature).
                        + "AND s.plan IN (" + com.ecomcrm.domain.PlanFeature.OWN_SENDER_DOMAIN.plans().stream()
                        .map(plan -> "'" + plan + "'").collect(java.util.stream.Collectors.joining(", ")) + ")")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    String name = text(row, "from_name").or(() -> text(row, "shop_name")).orElse(shop.handle());
                    ShopSender.Sender from = new ShopSender(name, text(row, "from_address"),
                            text(row, "verified_domain"), text(row, "reply_to"), text(row, "merchant_email"))
                            .sender(mail.settings().fromAddress());
                    Optional<TestSender.SealedDkimKey> dkim = text(row, "verified_domain")
                            .filter(domain -> domain.equals(from.domain()))
                            .map(domain -> new TestSender.SealedDkimKey(domain, row.getString("dkim_selector"),
                                    row.getBuffer("dkim_private_key").getBytes()));
                    return new TestSender.Sender(from, text(row, "postal_address").orElse(""), dkim);
                });
    }

    private static Optional<String> text(Row row, String column) {
        return Optional.ofNullable(row.getString(column)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static void fail(RoutingContext ctx, Throwable failure) {
        if (failure instanceof TemplateProblems problems) {
            problems.answer(ctx);
        }
        else if (failure instanceof TooManyTestSends tooMany) {
            tooMany.answer(ctx);
        }
        else {
            ctx.fail(failure);
        }
    }

    private static JsonObject summary(TemplateStore.TemplateView t) {
        return new JsonObject().put("id", t.id()).put("name", t.name()).put("subject", t.subject())
                .put("version", t.version()).put("updatedAt", t.updatedAt().toString())
                .put("flowIds", new JsonArray(t.flowIds()));
    }

    private static JsonObject detail(TemplateStore.TemplateView t) {
        return summary(t).put("bodyHtml", t.bodyHtml());
    }

    private static ShopId shop(RoutingContext ctx) {
        return SessionTokenHandler.identity(ctx).shop();
    }

    /** 429 with {@code Retry-After}: the shop used its test sends of the window. */
    private static final class TooManyTestSends extends RuntimeException {
        private final TestSendLimit limit;

        TooManyTestSends(TestSendLimit limit) {
            super("too many test sends", null, false, false);
            this.limit = limit;
        }

        void answer(RoutingContext ctx) {
            ctx.response().setStatusCode(429).putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", Long.toString(limit.window().toSeconds()))
                    .end(new JsonObject().put("error", new JsonObject().put("code", "RATE_LIMITED")
                            .put("message", "Cannot send another test: at most " + limit.limit() + " test emails per "
                                    + limit.window().toSeconds() + " seconds; try again shortly")).encode());
        }
    }
}
