/** This tab's orchestrator session id: the runs it starts are grouped under it on the server. */
const KEY = 'baton.sessionId';

function newId(): string {
  // randomUUID exists only in secure contexts (https, localhost); a dashboard opened over plain http elsewhere falls back.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function sessionId(): string {
  let id = sessionStorage.getItem(KEY);
  if (!id) {
    id = `dashboard-${newId()}`;
    sessionStorage.setItem(KEY, id);
  }
  return id;
}
