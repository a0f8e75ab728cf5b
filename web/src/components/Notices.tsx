/** Loading, empty and error states, the same everywhere; errors show the server's suggestions and request id. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const api = error instanceof ApiError ? error : undefined;
  const message = api?.message ?? (error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong');
  return (
    <div className="error" role="alert" data-testid="error">
      <strong>
        {title ? `${title}: ` : ''}
        {api ? <code>{api.errorType}</code> : null} {message}
      </strong>
      {api && api.body.suggestions.length > 0 ? (
        <ul>
          {api.body.suggestions.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      ) : null}
      {api?.body.request_id ? <small className="muted">request id {api.body.request_id}</small> : null}
    </div>
  );
}
