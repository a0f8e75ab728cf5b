/**
 * Asks for the API token when the server refuses a call for want of one (401, or 403 to the token
 * itself), once per browser session, or when the person chooses to switch; says why the last one
 * was refused in the server's words, and keeps the new one for the tab or, if asked, this browser.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { getToken, onTokenNeeded, setToken, tokenRemembered, type TokenRequest } from '../api/token';

export function TokenPrompt() {
  const [request, setRequest] = useState<TokenRequest | null>(null);
  const [value, setValue] = useState('');
  const [remember, setRemember] = useState(tokenRemembered);
  const input = useRef<HTMLInputElement>(null);

  useEffect(
    () =>
      onTokenNeeded((next) =>
        // The server's refusal outranks the person's own wish to switch: it says why.
        setRequest((open) => (open?.kind === 'needed' && next.kind === 'switch' ? open : next)),
      ),
    [],
  );
  useEffect(() => {
    if (request !== null) input.current?.focus();
  }, [request]);

  if (request === null) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    setRequest(null);
    setToken(value.trim(), { remember });
    setValue('');
  };
  // Switching may be called off; a token the server needs may not (nothing would load without it).
  const cancel = request.kind === 'switch' ? () => setRequest(null) : undefined;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && cancel) cancel();
  };
  return (
    <div className="overlay">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="token-title" onSubmit={submit} onKeyDown={onKeyDown}>
        <h2 id="token-title">API token</h2>
        <p>
          Your API token says who you are: the one printed by <code>baton actors add</code>, or the server&apos;s <code>BATON_API_TOKEN</code>.
        </p>
        {request.kind === 'needed' ? (
          <p className="error-text" role="alert" data-testid="token-reason">
            {getToken() ? 'The saved token was refused: ' : ''}
            {request.reason}
          </p>
        ) : null}
        <label htmlFor="token-input">Token</label>
        <input id="token-input" ref={input} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Keep it in this browser (otherwise: this tab only)
        </label>
        <div className="actions">
          <button type="submit">Use this token</button>
          {cancel ? (
            <button type="button" className="secondary" onClick={cancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
