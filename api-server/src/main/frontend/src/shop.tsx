import { useEffect, useState, type ReactNode } from 'react';
import { api } from './api';
import { setShopCurrency, setShopTimeZone } from './format';

export interface ShopAnswer {
  domain: string;
  name: string | null;
  currency: string | null;
  time_zone: string | null;
}

/**
 * Reads /api/shop once and sets the shop's currency and time zone (format.ts) before the screens render, so no amount
 * is ever shown in the wrong currency and no time in the wrong zone first. If the answer fails, the screens still
 * render (in USD and UTC): each screen shows its own errors, and a missing currency must not hide the numbers.
 */
export function ShopCurrencyGate({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    completeInstall();
    api<ShopAnswer>('/api/shop')
      .then((shop) => {
        setShopCurrency(shop.currency);
        setShopTimeZone(shop.time_zone);
      })
      .catch(() => {
        setShopCurrency(null);
        setShopTimeZone(null);
      })
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  return <>{ready ? children : fallback}</>;
}

/**
 * Tells the API the app was opened (POST /api/install/complete). With Shopify's managed installation Shopify installs
 * the app without ever calling us, so this visit is where a new shop gets its offline token (token exchange of the
 * session token), its webhooks and its first import; for a shop already set up it costs the API two indexed reads.
 * Not awaited: the screens read what is already there, and Home shows the import's progress once it starts.
 */
function completeInstall(): void {
  api('/api/install/complete', { method: 'POST' })
    .catch((error: unknown) => console.warn('Could not complete the installation', error));
}
