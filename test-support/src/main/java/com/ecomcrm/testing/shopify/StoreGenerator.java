package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.util.FastMath;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Generates a {@link SimulatedStore} deterministically from (seed, shop, customer count, history window): the same
 * inputs give the same store, byte for byte once written, on every machine (only {@link FastMath} and a Mersenne
 * Twister seeded from a SHA-256 of seed and shop are used; no {@code Math.log}, no hash iteration order).
 *
 * <p>Behaviour follows the BG/NBD model (Fader, Hardie and Lee 2005) with the CDNOW parameters, time in weeks:
 * each buying customer has a purchase rate {@code lambda ~ Gamma(r, scale 1/alpha)} and a dropout probability
 * {@code p ~ Beta(a, b)}. The first purchase happens at acquisition (uniform over the history); repeat purchases follow
 * with exponential gaps of mean {@code 1/lambda}; after each <em>repeat</em> purchase the customer drops out with
 * probability {@code p} (as in the model, there is no dropout right after the first purchase, so that
 * {@code P(no repeat in t weeks) = (alpha/(alpha+t))^r}). Order values follow the Gamma-Gamma model with the CDNOW
 * parameters: {@code nu ~ Gamma(q, scale 1/gamma)} per customer, each order {@code ~ Gamma(p, scale 1/nu)} dollars.
 *
 * <p>Edge cases, all drawn from the same seeded stream: about 10% of customers are prospects without orders, about 3%
 * of orders are cancelled ({@code VOIDED}), about 2% fully refunded ({@code REFUNDED}); names include non-ASCII and
 * apostrophes; emails are unique in the shop. About 3% of the other paid orders get one partial refund
 * ({@code PARTIALLY_REFUNDED}: one unit of one line, 1 to 30 days after the order), drawn from a random stream of
 * their own so that no customer, order or checkout changed when they were added.
 */
public final class StoreGenerator {
    /** BG/NBD, CDNOW (weeks). */
    public static final double R = 0.243;
    public static final double ALPHA = 4.414;
    public static final double A = 0.793;
    public static final double B = 2.426;
    /** Gamma-Gamma, CDNOW (dollars). */
    public static final double P = 6.25;
    public static final double Q = 3.74;
    public static final double GAMMA = 15.44;

    public static final double PROSPECT_SHARE = 0.10;
    public static final double CANCELLED_SHARE = 0.03;
    public static final double REFUNDED_SHARE = 0.02;
    public static final double PARTIALLY_REFUNDED_SHARE = 0.03;

    /*
     * Ids: every shop numbers its customers, orders, lines, refunds, checkouts and products in a block of its own
     * (SimulatedIds), so no two simulated shops share an id, as no two Shopify shops do. An order has at most one
     * refund, numbered as the order; a refund line is numbered as the line it gives back.
     */
    /** Share of customers who leave a checkout for good at some point, and share of orders preceded by a left one. */
    public static final double ABANDONING_SHARE = 0.25;
    public static final double RECOVERED_SHARE = 0.10;
    public static final int FIRST_ORDER_NUMBER = 1001;

    /** The default history: the two years (730 days) before 2026-01-01T00:00:00Z. */
    public static final Instant DEFAULT_HISTORY_END = Instant.parse("2026-01-01T00:00:00Z");
    public static final Duration DEFAULT_HISTORY = Duration.ofDays(730);

    private static final double SECONDS_PER_WEEK = 7 * 24 * 3600;

    private static final String[][] FIRST_NAMES = {
            {"Olivia", "olivia"}, {"Liam", "liam"}, {"Emma", "emma"}, {"Noah", "noah"}, {"Ava", "ava"},
            {"Oliver", "oliver"}, {"Sophia", "sophia"}, {"Elijah", "elijah"}, {"Isabella", "isabella"},
            {"James", "james"}, {"Mia", "mia"}, {"Lucas", "lucas"}, {"Amelia", "amelia"}, {"Mateo", "mateo"},
            {"Harper", "harper"}, {"Ethan", "ethan"}, {"Chloé", "chloe"}, {"José", "jose"}, {"Zoë", "zoe"},
            {"Søren", "soren"}, {"Aiko", "aiko"}, {"Priya", "priya"}, {"Mohammed", "mohammed"}, {"Fatima", "fatima"},
            {"Wei", "wei"}, {"Olga", "olga"}, {"Diego", "diego"}, {"Grace", "grace"}, {"Henry", "henry"},
            {"Nora", "nora"}, {"Jack", "jack"}, {"Lily", "lily"}};
    private static final String[][] LAST_NAMES = {
            {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
            {"Jones", "jones"}, {"Garcia", "garcia"}, {"Miller", "miller"}, {"Davis", "davis"},
            {"Rodriguez", "rodriguez"}, {"Martinez", "martinez"}, {"Nguyen", "nguyen"}, {"Kim", "kim"},
            {"O'Brien", "obrien"}, {"Müller", "muller"}, {"Dubois", "dubois"}, {"Rossi", "rossi"},
            {"Kowalski", "kowalski"}, {"Tanaka", "tanaka"}, {"Patel", "patel"}, {"Silva", "silva"},
            {"Andersson", "andersson"}, {"Nowak", "nowak"}, {"Lefèvre", "lefevre"}, {"Walker", "walker"},
            {"Young", "young"}, {"King", "king"}, {"Wright", "wright"}, {"Lopez", "lopez"}};
    private static final String[] EMAIL_DOMAINS = {"example.com", "example.net", "example.org", "mail.example"};

    /** A small catalog: each product has two variants. */
    private static final String[][] PRODUCTS = {
            {"Organic Cotton Tee", "TEE-ORG"}, {"Merino Beanie", "BEA-MER"}, {"Canvas Tote Bag", "TOT-CAN"},
            {"Ceramic Pour-Over Set", "POUR-CER"}, {"Single-Origin Coffee 250g", "COF-250"},
            {"Bamboo Toothbrush 4-pack", "TB-BAM4"}, {"Linen Throw Pillow", "PIL-LIN"},
            {"Recycled Wool Socks", "SOC-WOL"}, {"Stainless Water Bottle", "BOT-SST"},
            {"Beeswax Candle", "CAN-BEE"}, {"Leather Card Holder", "CRD-LTH"}, {"Yoga Mat \"Calm\"", "YOG-CLM"}};
    private static final String[] VARIANTS = {"S", "L"};

    private StoreGenerator() {
    }

    /** A store over the default two-year history ending 2026-01-01. */
    public static SimulatedStore generate(long seed, ShopId shop, int customerCount) {
        return generate(seed, shop, customerCount, DEFAULT_HISTORY_END.minus(DEFAULT_HISTORY), DEFAULT_HISTORY_END);
    }

    public static SimulatedStore generate(long seed, String shopDomain, int customerCount, Instant historyStart,
                                          Instant historyEnd) {
        return generate(seed, ShopId.of(shopDomain), customerCount, historyStart, historyEnd);
    }

    public static SimulatedStore generate(long seed, ShopId shop, int customerCount, Instant historyStart,
                                          Instant historyEnd) {
        return generate(seed, shop, customerCount, historyStart, historyEnd, PurchaseProcess.CDNOW);
    }

    /** A store whose buyers follow {@code purchases} instead of the CDNOW process (same seeded streams otherwise). */
    public static SimulatedStore generate(long seed, ShopId shop, int customerCount, Instant historyStart,
                                          Instant historyEnd, PurchaseProcess purchases) {
        requireNonNull(shop, "shop is null");
        requireNonNull(purchases, "purchases is null");
        requireNonNull(historyStart, "historyStart is null");
        requireNonNull(historyEnd, "historyEnd is null");
        if (customerCount < 0) {
            throw new IllegalArgumentException("Cannot generate a store: customer count " + customerCount + " < 0");
        }
        historyStart = historyStart.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        historyEnd = historyEnd.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (Duration.between(historyStart, historyEnd).compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("Cannot generate a store: the history must span at least a day");
        }
        return new Generation(seed, shop, customerCount, historyStart, historyEnd, purchases).run();
    }

    /** The random stream of one shop: a Mersenne Twister keyed with SHA-256(seed, shop domain). */
    public static RandomGenerator randomFor(long seed, ShopId shop, String purpose) {
        byte[] digest = sha256("ecomcrm-simulator|" + purpose + "|" + seed + "|" + shop.domain());
        ByteBuffer buffer = ByteBuffer.wrap(digest);
        int[] key = new int[8];
        for (int i = 0; i < key.length; i++) {
            key[i] = buffer.getInt();
        }
        return new MersenneTwister(key);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** One customer's draft before ids are assigned by creation time. */
    private record DraftCustomer(int index, String email, String firstName, String lastName, String state,
                                 long createdAt, long updatedAt, String marketingState, String optInLevel,
                                 Long consentUpdatedAt, List<DraftOrder> orders) {
    }

    private record DraftOrder(int customerIndex, int sequence, long createdAt, long updatedAt, Long cancelledAt,
                              String financialStatus, long totalCents, boolean refunded, List<DraftLine> lines) {
    }

    private record DraftLine(int product, int variant, int quantity, long unitCents) {
    }

    private static final class Generation {
        private final long seed;
        private final ShopId shop;
        private final int customerCount;
        private final Instant historyStart;
        private final Instant historyEnd;
        private final long start;
        private final long end;
        private final RandomGenerator rng;
        private final GammaDistribution lambdas;
        private final BetaDistribution dropouts;
        private final GammaDistribution nus;
        private final SimulatedIds ids;

        Generation(long seed, ShopId shop, int customerCount, Instant historyStart, Instant historyEnd,
                   PurchaseProcess purchases) {
            this.seed = seed;
            this.shop = shop;
            this.customerCount = customerCount;
            this.historyStart = historyStart;
            this.historyEnd = historyEnd;
            this.start = historyStart.getEpochSecond();
            this.end = historyEnd.getEpochSecond();
            this.rng = randomFor(seed, shop, "store");
            this.ids = SimulatedIds.of(seed, shop);
            this.lambdas = new GammaDistribution(rng, purchases.r(), 1 / purchases.alpha());
            this.dropouts = new BetaDistribution(rng, purchases.a(), purchases.b());
            this.nus = new GammaDistribution(rng, Q, 1 / GAMMA);
        }

        SimulatedStore run() {
            List<DraftCustomer> drafts = new ArrayList<>(customerCount);
            for (int i = 0; i < customerCount; i++) {
                drafts.add(customer(i));
            }
            drafts.sort(Comparator.comparingLong(DraftCustomer::createdAt).thenComparingInt(DraftCustomer::index));
            long[] customerIds = new long[customerCount];
            List<SimulatedCustomer> customers = new ArrayList<>(customerCount);
            List<DraftOrder> draftOrders = new ArrayList<>();
            for (int rank = 0; rank < drafts.size(); rank++) {
                DraftCustomer d = drafts.get(rank);
                long id = ids.id(SimulatedIds.Resource.CUSTOMER, rank + 1);
                customerIds[d.index()] = id;
                customers.add(new SimulatedCustomer(id, "gid://shopify/Customer/" + id, d.email(), d.firstName(),
                        d.lastName(), d.state(), Instant.ofEpochSecond(d.createdAt()),
                        Instant.ofEpochSecond(d.updatedAt()), d.marketingState(), d.optInLevel(),
                        d.consentUpdatedAt() == null ? null : Instant.ofEpochSecond(d.consentUpdatedAt())));
                draftOrders.addAll(d.orders());
            }
            draftOrders.sort(Comparator.comparingLong(DraftOrder::createdAt)
                    .thenComparingInt(DraftOrder::customerIndex).thenComparingInt(DraftOrder::sequence));
            List<SimulatedOrder> orders = new ArrayList<>(draftOrders.size());
            // Partial refunds come from a random stream of their own, so adding them changed no customer or order.
            PartialRefunds partialRefunds = new PartialRefunds(randomFor(seed, shop, "refunds"), end, ids);
            long lineSequence = 0;
            for (int n = 0; n < draftOrders.size(); n++) {
                DraftOrder d = draftOrders.get(n);
                long id = ids.id(SimulatedIds.Resource.ORDER, n + 1);
                List<SimulatedLine> lines = new ArrayList<>(d.lines().size());
                for (DraftLine l : d.lines()) {
                    long lineId = ids.id(SimulatedIds.Resource.LINE_ITEM, ++lineSequence);
                    String[] product = PRODUCTS[l.product()];
                    lines.add(new SimulatedLine(lineId, "gid://shopify/LineItem/" + lineId,
                            ids.id(SimulatedIds.Resource.PRODUCT, l.product() + 1),
                            ids.id(SimulatedIds.Resource.PRODUCT_VARIANT, l.product() * VARIANTS.length + l.variant() + 1),
                            product[1] + "-" + VARIANTS[l.variant()], product[0], l.quantity(),
                            cents(l.unitCents())));
                }
                BigDecimal total = cents(d.totalCents());
                Instant created = Instant.ofEpochSecond(d.createdAt());
                Instant updated = Instant.ofEpochSecond(d.updatedAt());
                String status = d.financialStatus();
                List<SimulatedRefund> refunds = List.of();
                long refundId = ids.id(SimulatedIds.Resource.REFUND, n + 1);
                if (d.refunded()) {
                    // Everything goes back when the order was last touched.
                    List<SimulatedRefund.Line> refunded = new ArrayList<>();
                    for (SimulatedLine l : lines) {
                        refunded.add(new SimulatedRefund.Line(ids.refundLineOf(l.id()), l.id(), l.quantity(),
                                l.lineTotal()));
                    }
                    refunds = List.of(new SimulatedRefund(refundId, "gid://shopify/Refund/" + refundId, id, updated,
                            refunded));
                }
                else if (d.cancelledAt() == null) {
                    Optional<SimulatedRefund> partial = partialRefunds.draw(refundId, id, d.createdAt(), lines);
                    if (partial.isPresent()) {
                        refunds = List.of(partial.get());
                        status = "PARTIALLY_REFUNDED";
                        updated = updated.isAfter(partial.get().createdAt()) ? updated : partial.get().createdAt();
                    }
                }
                BigDecimal refundedTotal = refunds.stream().map(SimulatedRefund::amount)
                        .reduce(cents(0), BigDecimal::add);
                orders.add(new SimulatedOrder(id, "gid://shopify/Order/" + id, "#" + (FIRST_ORDER_NUMBER + n),
                        customerIds[d.customerIndex()], created, created, updated,
                        d.cancelledAt() == null ? null : Instant.ofEpochSecond(d.cancelledAt()),
                        status, "USD", lines, total, refundedTotal, refunds, false));
            }
            // Checkouts come from a random stream of their own, so adding them changed no customer or order.
            List<SimulatedCheckout> checkouts = new CheckoutGeneration(randomFor(seed, shop, "checkouts"), end, ids)
                    .run(customers, orders);
            return new SimulatedStore(shop, seed, historyStart, historyEnd, customers, orders, checkouts);
        }

        private DraftCustomer customer(int index) {
            // Keep an hour at the end so the first order (a few minutes after sign-up) is inside the history.
            long acquiredAt = start + (long) FastMath.floor(rng.nextDouble() * Math.max(1, end - 3600 - start));
            boolean prospect = rng.nextDouble() < PROSPECT_SHARE;
            String[] first = FIRST_NAMES[rng.nextInt(FIRST_NAMES.length)];
            String[] last = LAST_NAMES[rng.nextInt(LAST_NAMES.length)];
            String email = first[1] + "." + last[1] + (index + 1) + "@" + EMAIL_DOMAINS[rng.nextInt(EMAIL_DOMAINS.length)];
            double u = rng.nextDouble();
            String state = u < 0.80 ? "ENABLED" : u < 0.90 ? "DISABLED" : u < 0.97 ? "INVITED" : "DECLINED";
            double m = rng.nextDouble();
            String marketing = m < 0.45 ? "SUBSCRIBED" : m < 0.85 ? "NOT_SUBSCRIBED" : m < 0.96 ? "UNSUBSCRIBED" : "PENDING";
            String optIn = marketing.equals("PENDING") ? "CONFIRMED_OPT_IN" : "SINGLE_OPT_IN";
            Long consentAt = switch (marketing) {
                case "NOT_SUBSCRIBED" -> null;
                case "UNSUBSCRIBED" -> Math.min(end, acquiredAt + (long) (rng.nextDouble() * 180 * 86400));
                default -> acquiredAt;
            };

            List<DraftOrder> orders = new ArrayList<>();
            long lastActivity = consentAt == null ? acquiredAt : consentAt;
            if (!prospect) {
                double lambda = lambdas.sample();
                double dropout = dropouts.sample();
                double nu = nus.sample();
                GammaDistribution values = new GammaDistribution(rng, P, 1 / nu);
                long firstOrderAt = acquiredAt + 60 + (long) (rng.nextDouble() * 1800);
                List<Long> times = new ArrayList<>();
                times.add(firstOrderAt);
                double t = firstOrderAt;
                while (true) {
                    double gapWeeks = -FastMath.log(1 - rng.nextDouble()) / lambda;
                    t += gapWeeks * SECONDS_PER_WEEK;
                    if (!(t < end)) {
                        break;
                    }
                    times.add((long) FastMath.floor(t));
                    if (rng.nextDouble() < dropout) {
                        break;
                    }
                }
                for (int s = 0; s < times.size(); s++) {
                    DraftOrder order = order(index, s, times.get(s), values.sample());
                    orders.add(order);
                    lastActivity = Math.max(lastActivity, order.createdAt());
                }
            }
            long updatedAt = Math.min(end, lastActivity + (long) (rng.nextDouble() * 3600));
            return new DraftCustomer(index, email, first[0], last[0], state, acquiredAt, Math.max(acquiredAt, updatedAt),
                    marketing, optIn, consentAt, orders);
        }

        private DraftOrder order(int customerIndex, int sequence, long createdAt, double dollars) {
            // A customer with a tiny nu spends enormously; cap it so a single order cannot overflow anything.
            long totalCents = Math.max(100, FastMath.round(Math.min(dollars, 100_000.0) * 100));
            double u = rng.nextDouble();
            Long cancelledAt = null;
            boolean refunded = false;
            String status = "PAID";
            long updatedAt;
            if (u < CANCELLED_SHARE) {
                cancelledAt = Math.min(end, createdAt + 300 + (long) (rng.nextDouble() * 2 * 86400));
                updatedAt = cancelledAt;
                status = "VOIDED";
            }
            else if (u < CANCELLED_SHARE + REFUNDED_SHARE) {
                refunded = true;
                status = "REFUNDED";
                updatedAt = Math.min(end, createdAt + 2 * 86400 + (long) (rng.nextDouble() * 28 * 86400));
            }
            else {
                // Fulfilment touches the order an hour to five days later.
                updatedAt = Math.min(end, createdAt + 3600 + (long) (rng.nextDouble() * 5 * 86400));
            }
            return new DraftOrder(customerIndex, sequence, createdAt, Math.max(createdAt, updatedAt), cancelledAt,
                    status, totalCents, refunded, lines(totalCents));
        }

        /** Splits a total into 1-3 lines of distinct products whose quantity * unit price sum exactly to it. */
        private List<DraftLine> lines(long totalCents) {
            double u = rng.nextDouble();
            int count = u < 0.55 ? 1 : u < 0.85 ? 2 : 3;
            int[] products = new int[count];
            for (int i = 0; i < count; i++) {
                int candidate;
                do {
                    candidate = rng.nextInt(PRODUCTS.length);
                }
                while (contains(products, i, candidate));
                products[i] = candidate;
            }
            double[] weights = new double[count];
            double weightSum = 0;
            for (int i = 0; i < count; i++) {
                weights[i] = 0.5 + rng.nextDouble();
                weightSum += weights[i];
            }
            int[] quantities = new int[count];
            int[] variants = new int[count];
            for (int i = 0; i < count; i++) {
                double q = rng.nextDouble();
                quantities[i] = q < 0.80 ? 1 : q < 0.95 ? 2 : 3;
                variants[i] = rng.nextInt(VARIANTS.length);
            }
            List<DraftLine> lines = new ArrayList<>(count);
            long allocated = 0;
            for (int i = 0; i < count - 1; i++) {
                long share = (long) FastMath.floor(totalCents * weights[i] / weightSum);
                long unit = Math.max(1, share / quantities[i]);
                lines.add(new DraftLine(products[i], variants[i], quantities[i], unit));
                allocated += unit * quantities[i];
            }
            long remainder = totalCents - allocated;
            if (remainder < 1) {
                return List.of(new DraftLine(products[0], variants[0], 1, totalCents));
            }
            int lastQuantity = remainder % quantities[count - 1] == 0 ? quantities[count - 1] : 1;
            lines.add(new DraftLine(products[count - 1], variants[count - 1], lastQuantity, remainder / lastQuantity));
            return lines;
        }

        private static boolean contains(int[] values, int length, int value) {
            for (int i = 0; i < length; i++) {
                if (values[i] == value) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Partial refunds: {@link #PARTIALLY_REFUNDED_SHARE} of the paid orders that have more than one unit get back one
     * unit of one line (the line drawn uniformly), 1 to 30 days after the order (never after the history's end).
     */
    private static final class PartialRefunds {
        private final RandomGenerator rng;
        private final long end;

        private final SimulatedIds ids;

        PartialRefunds(RandomGenerator rng, long end, SimulatedIds ids) {
            this.rng = rng;
            this.end = end;
            this.ids = ids;
        }

        Optional<SimulatedRefund> draw(long refundId, long orderId, long orderCreatedAt, List<SimulatedLine> lines) {
            if (rng.nextDouble() >= PARTIALLY_REFUNDED_SHARE) {
                return Optional.empty();
            }
            SimulatedLine line = lines.get(rng.nextInt(lines.size()));
            long refundedAt = Math.min(end, orderCreatedAt + 86400 + (long) (rng.nextDouble() * 29 * 86400));
            if (lines.size() == 1 && line.quantity() == 1) {
                return Optional.empty(); // one unit in all: refunding it would be a full refund
            }
            return Optional.of(new SimulatedRefund(refundId, "gid://shopify/Refund/" + refundId, orderId,
                    Instant.ofEpochSecond(Math.max(orderCreatedAt + 1, refundedAt)),
                    List.of(new SimulatedRefund.Line(ids.refundLineOf(line.id()), line.id(), 1,
                            line.unitPrice()))));
        }
    }

    /**
     * Checkouts of a generated store: every customer abandons one checkout with probability {@link #ABANDONING_SHARE}
     * (a uniform time after sign-up; one to three products, each a single unit), and {@link #RECOVERED_SHARE} of the
     * orders were left as a checkout 2 to 48 hours before they were placed (the same lines and total).
     */
    private static final class CheckoutGeneration {
        private final RandomGenerator rng;
        private final long end;

        private final SimulatedIds ids;

        CheckoutGeneration(RandomGenerator rng, long end, SimulatedIds ids) {
            this.rng = rng;
            this.end = end;
            this.ids = ids;
        }

        List<SimulatedCheckout> run(List<SimulatedCustomer> customers, List<SimulatedOrder> orders) {
            record Draft(long createdAt, long updatedAt, Long completedAt, Long orderId, SimulatedCustomer customer,
                         List<SimulatedLine> lines, BigDecimal total) {
            }
            java.util.Map<Long, SimulatedCustomer> byId = new java.util.HashMap<>();
            List<Draft> drafts = new ArrayList<>();
            for (SimulatedCustomer c : customers) {
                byId.put(c.id(), c);
                if (rng.nextDouble() < ABANDONING_SHARE) {
                    long from = c.createdAt().getEpochSecond();
                    long createdAt = from + (long) FastMath.floor(rng.nextDouble() * Math.max(1, end - from));
                    long updatedAt = Math.min(end, createdAt + 60 + (long) (rng.nextDouble() * 1200));
                    List<SimulatedLine> lines = new ArrayList<>();
                    int count = 1 + rng.nextInt(3);
                    BigDecimal total = BigDecimal.ZERO;
                    for (int i = 0; i < count; i++) {
                        int product = (rng.nextInt(PRODUCTS.length) + i) % PRODUCTS.length;
                        int variant = rng.nextInt(VARIANTS.length);
                        BigDecimal price = cents(1500 + rng.nextInt(12_000));
                        lines.add(new SimulatedLine(0, "gid://shopify/AbandonedCheckoutLineItem/0",
                                ids.id(SimulatedIds.Resource.PRODUCT, product + 1),
                                ids.id(SimulatedIds.Resource.PRODUCT_VARIANT, product * VARIANTS.length + variant + 1),
                                PRODUCTS[product][1] + "-" + VARIANTS[variant], PRODUCTS[product][0], 1, price));
                        total = total.add(price);
                    }
                    drafts.add(new Draft(createdAt, updatedAt, null, null, c, lines, total));
                }
            }
            for (SimulatedOrder o : orders) {
                if (rng.nextDouble() < RECOVERED_SHARE) {
                    long placed = o.createdAt().getEpochSecond();
                    long createdAt = placed - 2 * 3600 - (long) (rng.nextDouble() * 46 * 3600);
                    drafts.add(new Draft(createdAt, placed, placed, o.id(), byId.get(o.customerId()), o.lines(),
                            o.totalPrice()));
                }
            }
            drafts.sort(Comparator.comparingLong(Draft::createdAt).thenComparingLong(d -> d.customer().id()));
            List<SimulatedCheckout> checkouts = new ArrayList<>(drafts.size());
            for (int n = 0; n < drafts.size(); n++) {
                Draft d = drafts.get(n);
                long id = ids.id(SimulatedIds.Resource.CHECKOUT, n + 1);
                String token = java.util.HexFormat.of().formatHex(sha256("checkout|" + id + "|" + d.customer().id()))
                        .substring(0, 32);
                checkouts.add(new SimulatedCheckout(id, token, d.customer().id(), d.customer().email(),
                        Instant.ofEpochSecond(d.createdAt()), Instant.ofEpochSecond(d.updatedAt()),
                        d.completedAt() == null ? null : Instant.ofEpochSecond(d.completedAt()), d.orderId(), "USD",
                        d.lines(), d.total()));
            }
            return checkouts;
        }
    }

    static BigDecimal cents(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}
