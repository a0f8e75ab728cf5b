/**
 * Who the dashboard acts as: the actor GET /api/me names for the saved token (the local user when
 * the server needs none), shared with every page, and the header's line saying so with the ways
 * to switch to another token or forget it.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api/client';
import type { Me } from '../api/schemas';
import { clearToken, getToken, switchToken } from '../api/token';
import { useTokenGeneration } from '../hooks/useTokenGeneration';

export interface MeState {
  /** The caller, once known; null while loading, when refused, or from a server without /api/me. */
  me: Me | null;
  state: 'loading' | 'known' | 'refused' | 'unsupported' | 'failed';
}

const MeContext = createContext<MeState>({ me: null, state: 'loading' });

export function MeProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<MeState>({ me: null, state: 'loading' });
  const generation = useTokenGeneration();
  useEffect(() => {
    let current = true;
    // Another token is another person: nothing of the last one's is kept while this one loads.
    setValue({ me: null, state: 'loading' });
    api.me().then(
      (me) => current && setValue({ me, state: 'known' }),
      (error: unknown) => {
        if (!current) return;
        const status = error instanceof ApiError ? error.status : 0;
        setValue({ me: null, state: status === 401 || status === 403 ? 'refused' : status === 404 ? 'unsupported' : 'failed' });
      },
    );
    return () => {
      current = false;
    };
  }, [generation]);
  return <MeContext.Provider value={value}>{children}</MeContext.Provider>;
}

export const useMe = (): MeState => useContext(MeContext);

/** "buyer, merchandiser", "every role" or "no role", and "read only" for a reader. */
export function rolesOf(me: Me): string {
  const roles = me.any_role ? 'every role' : me.roles.length > 0 ? me.roles.join(', ') : 'no role';
  return me.scope === 'read' ? `${roles}, read only` : roles;
}

export function WhoAmI() {
  const { me, state } = useMe();
  const token = getToken();
  useTokenGeneration(); // re-read the saved token when it changes
  return (
    <div className="whoami" data-testid="whoami" data-actor={me?.id ?? ''} data-state={state}>
      {me?.id === 'local' ? (
        <span title="No actor and no BATON_API_TOKEN on this server: whoever opens it acts, with every role">Local mode: no token needed</span>
      ) : me?.id === 'anonymous' ? (
        <span>Reading without a token</span>
      ) : me ? (
        <span>
          Signed in as <strong data-testid="whoami-name">{me.name}</strong> <span className="whoami-roles">({rolesOf(me)})</span>
        </span>
      ) : state === 'loading' ? null : token ? (
        <span>{state === 'refused' ? 'Token refused' : 'Token saved'}</span>
      ) : null}
      {/* A server in local mode takes no token: offering one would only confuse. */}
      {me?.id === 'local' && !token ? null : (
        <button type="button" className="link" onClick={switchToken}>
          {token ? 'Switch token' : 'Use a token'}
        </button>
      )}
      {token ? (
        <button type="button" className="link" onClick={clearToken}>
          Forget token
        </button>
      ) : null}
    </div>
  );
}
