// Money arrives as decimal strings ("1234.56") from the analytics APIs and as integer cents from the email APIs. Every
// amount of the shop's own (revenue, orders, CLV) is in the shop's currency, which /api/shop names once at start-up
// (setShopCurrency); an amount in another currency (the app's own plan prices) passes its code explicitly.

const FALLBACK_CURRENCY = 'USD';
let shopCurrency = FALLBACK_CURRENCY;

/** A code Intl accepts (three letters, known to the browser), else null. */
function usableCurrency(code: string | null | undefined): string | null {
  if (!code || !/^[A-Za-z]{3}$/.test(code)) return null;
  try {
    new Intl.NumberFormat(undefined, { style: 'currency', currency: code });
    return code.toUpperCase();
  } catch {
    return null;
  }
}

/** The shop's currency (ISO 4217) from /api/shop; unknown or malformed codes fall back to USD. */
export function setShopCurrency(code: string | null | undefined): void {
  shopCurrency = usableCurrency(code) ?? FALLBACK_CURRENCY;
}

export function currentCurrency(): string {
  return shopCurrency;
}

/** An amount in the shop's currency, or in {@code currency} when given (e.g. the app's plan prices in USD). */
export function money(amount: string | number | null | undefined, currency?: string | null): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: usableCurrency(currency) ?? shopCurrency })
    .format(value);
}

export function cents(value: number | null | undefined, currency?: string | null): string {
  return value === null || value === undefined ? '—' : money(value / 100, currency);
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : new Intl.NumberFormat().format(value);
}

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : (value * 100).toFixed(digits) + '%';
}

export function decimal(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

// Times arrive as ISO-8601 instants (UTC or with an offset). The merchant reads them in the shop's own time zone
// (Shopify's ianaTimezone, from /api/shop), the one its orders, quiet hours and quota months are counted in, whatever
// the zone of the browser the merchant happens to use.
let shopTimeZone = 'UTC';

/** A zone Intl accepts, else null. */
function usableTimeZone(zone: string | null | undefined): string | null {
  if (!zone) return null;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

/** The shop's IANA time zone from /api/shop; unknown zones fall back to UTC. */
export function setShopTimeZone(zone: string | null | undefined): void {
  shopTimeZone = usableTimeZone(zone) ?? 'UTC';
}

export function currentTimeZone(): string {
  return shopTimeZone;
}

function instant(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function zoned(d: Date, withTime: boolean): string {
  // en-CA gives ISO-like year-month-day; the parts are assembled explicitly so every browser prints the same shape.
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: shopTimeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
  }).formatToParts(d);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${part('year')}-${part('month')}-${part('day')}`;
  return withTime ? `${day} ${part('hour')}:${part('minute')}` : day;
}

/** The shop-local day of an instant, "2026-11-29"; a plain date ("2026-11-29") is returned as it is. */
export function shopDate(iso: string | null | undefined): string {
  if (iso && /^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = instant(iso);
  return d ? zoned(d, false) : '—';
}

/** The shop-local day and minute of an instant, "2026-11-29 23:30". */
export function shopDateTime(iso: string | null | undefined): string {
  const d = instant(iso);
  return d ? zoned(d, true) : '—';
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}
