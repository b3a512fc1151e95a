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
