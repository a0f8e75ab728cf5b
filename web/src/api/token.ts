/**
 * The API token, asked for once and kept for the browser session (sessionStorage: gone when the
 * tab closes). Components listen for "needed" to show the prompt when the server says 401/403.
 */
const KEY = 'baton.apiToken';
type Listener = (reason: string) => void;
const listeners = new Set<Listener>();
const changeListeners = new Set<() => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  for (const listener of changeListeners) listener();
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Tell the prompt the server wants a (valid) token. */
export function requestToken(reason: string): void {
  for (const listener of listeners) listener(reason);
}

export function onTokenNeeded(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called after a new token is saved, so what failed without it can load again. */
export function onTokenChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}
