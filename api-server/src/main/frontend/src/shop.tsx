import { useEffect, useState, type ReactNode } from 'react';
import { api } from './api';
import { setShopCurrency } from './format';

export interface ShopAnswer {
  domain: string;
  name: string | null;
  currency: string | null;
}

/**
 * Reads /api/shop once and sets the shop's currency (format.ts) before the screens render, so no amount is ever
 * shown in the wrong currency first. If the answer fails, the screens still render (in USD): each screen shows its
 * own errors, and a missing currency must not hide the numbers.
 */
export function ShopCurrencyGate({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    api<ShopAnswer>('/api/shop')
      .then((shop) => setShopCurrency(shop.currency))
      .catch(() => setShopCurrency(null))
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  return <>{ready ? children : fallback}</>;
}
