import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

// A very small router: the dashboard has a handful of flat routes under /app/, and the query parameters Shopify adds
// (shop, host, embedded) must survive every navigation.
const BASE = '/app';
const KEPT = ['shop', 'host', 'embedded'];

export interface Location {
  path: string;
  params: Record<string, string>;
}

const RouterContext = createContext<{ path: string; navigate: (to: string) => void }>({
  path: '/',
  navigate: () => {},
});

export function currentPath(): string {
  const p = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

/** /app/... with the kept query parameters, for a path such as /customers/42. */
export function href(to: string): string {
  const current = new URLSearchParams(window.location.search);
  const [path, query] = to.split('?');
  const params = new URLSearchParams(query ?? '');
  for (const key of KEPT) {
    const value = current.get(key);
    if (value !== null && !params.has(key)) params.set(key, value);
  }
  const search = params.toString();
  return BASE + (path === '/' ? '/' : path) + (search ? '?' + search : '');
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string) => {
    window.history.pushState(null, '', href(to));
    setPath(currentPath());
    window.scrollTo(0, 0);
  };
  return <RouterContext.Provider value={{ path, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter() {
  return useContext(RouterContext);
}

/** Matches /customers/:id style patterns; returns the named segments or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}
