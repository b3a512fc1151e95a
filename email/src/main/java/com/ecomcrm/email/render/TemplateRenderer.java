package com.ecomcrm.email.render;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import freemarker.cache.TemplateLoader;
import freemarker.cache.TemplateNameFormat;
import freemarker.core.HTMLOutputFormat;
import freemarker.core.OutputFormat;
import freemarker.core.ParseException;
import freemarker.core.PlainTextOutputFormat;
import freemarker.core.TemplateClassResolver;
import freemarker.core.TemplateConfiguration;
import freemarker.core._CoreAPI;
import freemarker.template.Configuration;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.Version;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders merchant-authored email templates with FreeMarker, locked down as a sandbox:
 * <ul>
 *   <li>no class access: {@code ?new} resolves nothing ({@link TemplateClassResolver#ALLOWS_NOTHING_RESOLVER}),
 *       {@code ?api} is off, and the object wrapper is a {@link SimpleObjectWrapper} over plain data only
 *       ({@link MergeData#requirePlain}): no Java object whose methods a template could reach;</li>
 *   <li>no file system or class path: includes and imports are served only from the shop's own templates
 *       ({@link TemplateSource}), so another shop's templates and {@code /etc/passwd} are simply not found;</li>
 *   <li>a time limit: rendering runs on a worker thread with FreeMarker's thread-interruption checks added to every
 *       loop; past the limit the thread is interrupted and the render fails; output is capped in size too;</li>
 *   <li>errors are rethrown (never written into the email) and reported as {@link TemplateProblem} with line and
 *       column;</li>
 *   <li>the HTML part is auto-escaped ({@code ${x}} of {@code <b>} gives {@code &lt;b&gt;}); subject and text parts
 *       are plain text.</li>
 * </ul>
 * Thread-safe; one per process. Parsed template versions are cached by {@link TemplateContent#cacheKey()}.
 */
public final class TemplateRenderer implements AutoCloseable {
    private static final Version FM = Configuration.VERSION_2_3_34;
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_OUTPUT_CHARS = 1 << 20;
    private static final int PARSED_CACHE_SIZE = 1_000;
    private static final int SHOP_CONFIG_CACHE_SIZE = 2_000;

    private final TemplateSource source;
    private final Duration timeLimit;
    private final int maxOutputChars;
    private final ExecutorService pool;
    private final Map<ShopId, Configuration> configurations = new ConcurrentHashMap<>();
    private final Map<String, Parsed> parsedCache = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Parsed> eldest) {
                    return size() > PARSED_CACHE_SIZE;
                }
            });

    public TemplateRenderer(TemplateSource source) {
        this(source, DEFAULT_TIME_LIMIT, DEFAULT_MAX_OUTPUT_CHARS);
    }

    public TemplateRenderer(TemplateSource source, Duration timeLimit, int maxOutputChars) {
        this.source = requireNonNull(source, "source is null");
        this.timeLimit = requireNonNull(timeLimit, "timeLimit is null");
        this.maxOutputChars = maxOutputChars;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "template-render-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Renders the three parts with {@code model} (plain data only, see {@link MergeData}). */
    public RenderedEmail render(ShopId shop, TemplateContent content, Map<String, ?> model)
            throws TemplateRenderException {
        requireNonNull(shop, "shop is null");
        requireNonNull(content, "content is null");
        MergeData.requirePlain(model);
        Parsed parsed = parse(shop, content);
        Future<RenderedEmail> future = pool.submit(() -> new RenderedEmail(
                oneLine(process(parsed.subject, model, "subject")),
                process(parsed.html, model, "html"),
                parsed.text == null ? null : process(parsed.text, model, "text")));
        try {
            return future.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            future.cancel(true);
            throw new TemplateRenderException(new TemplateProblem("html", 0, 0,
                    "Rendering took longer than " + timeLimit.toMillis() + " ms and was stopped"), e);
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof TemplateRenderException tre) {
                throw tre;
            }
            throw new TemplateRenderException(new TemplateProblem("html", 0, 0,
                    "Rendering failed: " + e.getCause()), e.getCause());
        }
        catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new TemplateRenderException(new TemplateProblem("html", 0, 0, "Rendering was interrupted"), e);
        }
    }

    /** Parses and renders with sample data: an empty list means the template is fine. */
    public List<TemplateProblem> validate(ShopId shop, TemplateContent content) {
        List<TemplateProblem> problems = new ArrayList<>();
        try {
            render(shop, new TemplateContent(null, content.subject(), content.html(), content.text()),
                    MergeData.sample(shop.domain()));
        }
        catch (TemplateRenderException e) {
            problems.add(e.problem());
        }
        return problems;
    }

    /** Forgets a shop's cached includes (after one of its templates changed). */
    public void invalidate(ShopId shop) {
        configurations.remove(shop);
    }

    private Parsed parse(ShopId shop, TemplateContent content) throws TemplateRenderException {
        String key = content.cacheKey() == null ? null : shop.domain() + "|" + content.cacheKey();
        if (key != null) {
            Parsed cached = parsedCache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Configuration cfg = configurationFor(shop);
        Parsed parsed = new Parsed(
                parsePart(cfg, "subject", content.subject(), PlainTextOutputFormat.INSTANCE),
                parsePart(cfg, "html", content.html(), HTMLOutputFormat.INSTANCE),
                content.text() == null ? null
                        : parsePart(cfg, "text", content.text(), PlainTextOutputFormat.INSTANCE));
        if (key != null) {
            parsedCache.put(key, parsed);
        }
        return parsed;
    }

    private static Template parsePart(Configuration cfg, String part, String text, OutputFormat format)
            throws TemplateRenderException {
        TemplateConfiguration parserConfig = new TemplateConfiguration();
        parserConfig.setParentConfiguration(cfg);
        parserConfig.setOutputFormat(format);
        try {
            Template template = new Template(part, null, new StringReader(text), cfg, parserConfig, null);
            _CoreAPI.addThreadInterruptedChecks(template);
            return template;
        }
        catch (ParseException e) {
            throw new TemplateRenderException(new TemplateProblem(part, e.getLineNumber(), e.getColumnNumber(),
                    e.getEditorMessage()), e);
        }
        catch (IOException e) {
            throw new TemplateRenderException(new TemplateProblem(part, 0, 0, e.getMessage()), e);
        }
    }

    private String process(Template template, Map<String, ?> model, String part) throws TemplateRenderException {
        LimitedWriter out = new LimitedWriter(maxOutputChars);
        try {
            template.process(model, out);
            return out.toString();
        }
        catch (TemplateException e) {
            int line = e.getLineNumber() == null ? 0 : e.getLineNumber();
            int column = e.getColumnNumber() == null ? 0 : e.getColumnNumber();
            String message = e.getMessageWithoutStackTop();
            if (Thread.currentThread().isInterrupted()) {
                message = "Rendering took longer than " + timeLimit.toMillis() + " ms and was stopped";
            }
            throw new TemplateRenderException(new TemplateProblem(part, line, column, firstLines(message)), e);
        }
        catch (IOException e) {
            throw new TemplateRenderException(new TemplateProblem(part, 0, 0, e.getMessage()), e);
        }
        catch (RuntimeException e) {
            // FreeMarker's interruption check ends the render with an unchecked flow-control exception.
            String message = Thread.currentThread().isInterrupted()
                    ? "Rendering took longer than " + timeLimit.toMillis() + " ms and was stopped"
                    : "Rendering failed: " + e;
            throw new TemplateRenderException(new TemplateProblem(part, 0, 0, message), e);
        }
    }

    private Configuration configurationFor(ShopId shop) {
        if (configurations.size() > SHOP_CONFIG_CACHE_SIZE) {
            configurations.clear();
        }
        return configurations.computeIfAbsent(shop, s -> sandboxConfiguration(new ShopTemplateLoader(s, source)));
    }

    /** The locked-down FreeMarker configuration, one per shop (its loader sees only that shop's templates). */
    static Configuration sandboxConfiguration(TemplateLoader loader) {
        Configuration cfg = new InterruptibleConfiguration();
        cfg.setTemplateLoader(loader);
        cfg.setLocalizedLookup(false);
        cfg.setTemplateNameFormat(TemplateNameFormat.DEFAULT_2_4_0);
        cfg.setTemplateUpdateDelayMilliseconds(5_000);
        cfg.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        cfg.setAPIBuiltinEnabled(false);
        cfg.setObjectWrapper(new SimpleObjectWrapper(FM));
        cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        cfg.setLogTemplateExceptions(false);
        cfg.setWrapUncheckedExceptions(true);
        cfg.setFallbackOnNullLoopVariable(false);
        cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
        cfg.setAutoEscapingPolicy(Configuration.ENABLE_IF_DEFAULT_AUTO_ESCAPING_POLICY);
        cfg.setRecognizeStandardFileExtensions(false);
        cfg.setDefaultEncoding("UTF-8");
        cfg.setLocale(Locale.US);
        cfg.setTimeZone(TimeZone.getTimeZone("UTC"));
        return cfg;
    }

    private static final java.util.regex.Pattern LINE_BREAKS = java.util.regex.Pattern.compile("[\\r\\n\\t]+");

    private static String oneLine(String subject) {
        return LINE_BREAKS.matcher(subject).replaceAll(" ").strip();
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "error";
        }
        String[] lines = message.strip().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 3); i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("----")) {
                break;
            }
            b.append(b.length() == 0 ? "" : " ").append(line);
        }
        return b.toString();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private record Parsed(Template subject, Template html, Template text) {
    }

    /** Adds FreeMarker's thread-interruption checks to included/imported templates too (once each). */
    private static final class InterruptibleConfiguration extends Configuration {
        private final Set<Template> checked = Collections.synchronizedSet(
                Collections.newSetFromMap(new WeakHashMap<>()));

        InterruptibleConfiguration() {
            super(FM);
        }

        @Override
        public Template getTemplate(String name, Locale locale, Object customLookupCondition, String encoding,
                                    boolean parseAsFTL, boolean ignoreMissing) throws IOException {
            Template template = super.getTemplate(name, locale, customLookupCondition, encoding, parseAsFTL,
                    ignoreMissing);
            if (template != null && checked.add(template)) {
                _CoreAPI.addThreadInterruptedChecks(template);
            }
            return template;
        }
    }

    /** Serves one shop's templates by name from the store; nothing else exists for it. */
    private record ShopTemplateLoader(ShopId shop, TemplateSource source) implements TemplateLoader {
        @Override
        public Object findTemplateSource(String name) {
            Optional<String> body = source.load(shop, name);
            return body.map(b -> new Source(name, b)).orElse(null);
        }

        @Override
        public long getLastModified(Object templateSource) {
            return -1;
        }

        @Override
        public Reader getReader(Object templateSource, String encoding) {
            return new StringReader(((Source) templateSource).body());
        }

        @Override
        public void closeTemplateSource(Object templateSource) {
        }

        private record Source(String name, String body) {
        }
    }

    /** Collects output up to a limit; past it the render fails (a template cannot produce gigabytes). */
    private static final class LimitedWriter extends Writer {
        private final StringBuilder out = new StringBuilder();
        private final int max;

        LimitedWriter(int max) {
            this.max = max;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            if (out.length() + len > max) {
                throw new IOException("The rendered email is larger than " + max + " characters");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new IOException("Rendering was stopped");
            }
            out.append(cbuf, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
