// Every /api call carries a Shopify session token. Embedded in Shopify admin, App Bridge (window.shopify) mints
// them; standalone (demo, development, browser tests) the token arrives once as ?token= and is kept for the tab.

declare global {
  interface Window {
    shopify?: { idToken(): Promise<string> };
  }
}

const STORAGE_KEY = 'ecomcrm.sessionToken';

/** Takes ?token= off the address bar (it should not end up in bookmarks or screenshots) and keeps it for the tab. */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    sessionStorage.setItem(STORAGE_KEY, token);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
}

export function isEmbedded(): boolean {
  return typeof window.shopify?.idToken === 'function';
}

export async function sessionToken(): Promise<string> {
  if (isEmbedded()) {
    return window.shopify!.idToken();
  }
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) {
    throw new ApiError(401, 'NO_SESSION', 'This page was opened without a session. Open the app from Shopify admin, '
      + 'or for the demo add ?token=... to the address (bin/session-token SHOP prints one).');
  }
  return stored;
}

/** An API failure in the shape of api-server's ErrorResponses: {"error": {"code", "message", "field"}}. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string,
              readonly body?: unknown) {
    super(message);
  }

  /** The endpoint is not deployed on this server yet (other parts of the app are still being built). */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'NOT_FOUND' && /^Cannot find \/api\//.test(this.message);
  }
}

async function send(path: string, init: RequestInit, token: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  headers.set('Accept', 'application/json');
  return fetch(path, { ...init, headers });
}

/** Calls the API; a 401 that asks for it (X-Shopify-Retry-Invalid-Session-Request) is retried once with a new token. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response = await send(path, init, await sessionToken());
  if (response.status === 401 && response.headers.get('X-Shopify-Retry-Invalid-Session-Request') === '1') {
    if (isEmbedded()) {
      response = await send(path, init, await sessionToken());
    }
  }
  const text = await response.text();
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    let message: string = typeof error.message === 'string' ? error.message
      : typeof body?.message === 'string' ? body.message : `The server answered ${response.status}.`;
    if (response.status === 401 && !isEmbedded()) {
      message += ' The session token has expired or is not valid: print a new one with bin/session-token SHOP and '
        + 'open the app with ?token=...';
    }
    throw new ApiError(response.status, error.code ?? body?.error ?? String(response.status), message, error.field,
      body);
  }
  return body as T;
}

export function post<T>(path: string, payload: unknown, method = 'POST'): Promise<T> {
  return api<T>(path, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

/** A download link (CSV export): the browser cannot add headers to a navigation, so the token goes in id_token. */
export async function downloadUrl(path: string): Promise<string> {
  const token = await sessionToken();
  return path + (path.includes('?') ? '&' : '?') + 'id_token=' + encodeURIComponent(token);
}
