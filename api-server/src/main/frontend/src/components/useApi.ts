import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ready'; data: T };

/** Loads a GET endpoint whenever the path changes; reload() fetches it again (after an action). */
export function useApi<T>(path: string | null): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setResult((previous) => (previous.state === 'ready' ? previous : { state: 'loading' }));
    api<T>(path)
      .then((data) => live && setResult({ state: 'ready', data }))
      .catch((e) => live && setResult({ state: 'error', error: toApiError(e) }));
    return () => {
      live = false;
    };
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [result, reload];
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(0, 'NETWORK', `The server could not be reached (${message}). Check your connection and that `
    + 'the EcomCRM server is running, then reload the page.');
}
