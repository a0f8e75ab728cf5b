/**
 * The API token, asked for once and kept for the browser session (sessionStorage: gone when the
 * tab closes) or, when the person asks, in this browser (localStorage). The prompt listens for
 * "needed" (the server said 401, or 403 to the token itself) and for "switch" (the person asked).
 */
const KEY = 'baton.apiToken';

/** Why the prompt opens: the server refused the call (its message), or the person chose to switch tokens. */
export type TokenRequest = { kind: 'needed'; reason: string } | { kind: 'switch' };
type Listener = (request: TokenRequest) => void;
const listeners = new Set<Listener>();
const changeListeners = new Set<() => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
}

/** Whether the saved token outlives the tab (kept in this browser). */
export function tokenRemembered(): boolean {
  return localStorage.getItem(KEY) !== null;
}

const changed = () => {
  for (const listener of changeListeners) listener();
};

export function setToken(token: string, { remember = false }: { remember?: boolean } = {}): void {
  sessionStorage.setItem(KEY, token);
  // A token kept in the browser is replaced, never left behind, when another is chosen for the tab only.
  if (remember) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
  changed();
}

/** Forget the token everywhere it was kept; what is open loads again (and asks, if the server needs one). */
export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  changed();
}

/** Tell the prompt the server wants a (valid) token. */
export function requestToken(reason: string): void {
  for (const listener of listeners) listener({ kind: 'needed', reason });
}

/** Open the prompt to use another token (another person, another scope). */
export function switchToken(): void {
  for (const listener of listeners) listener({ kind: 'switch' });
}

export function onTokenNeeded(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called after a token is saved or forgotten, so what failed without it can load again. */
export function onTokenChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}
