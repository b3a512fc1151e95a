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

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}
