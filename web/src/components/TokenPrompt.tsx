/** Asks for the API token when the server refuses a call (401/403), once per browser session. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { getToken, onTokenNeeded, setToken } from '../api/token';

export function TokenPrompt() {
  const [reason, setReason] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => onTokenNeeded((why) => setReason(why)), []);
  useEffect(() => {
    if (reason !== null) input.current?.focus();
  }, [reason]);

  if (reason === null) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    setReason(null);
    setToken(value.trim());
    setValue('');
  };
  return (
    <div className="overlay">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="token-title" onSubmit={submit}>
        <h2 id="token-title">API token</h2>
        <p>
          This server needs its API token (<code>BATON_API_TOKEN</code>). It is kept for this browser tab only.
        </p>
        <p className="error-text" role="alert">
          {getToken() ? 'The saved token was refused: ' : ''}
          {reason}
        </p>
        <label htmlFor="token-input">Token</label>
        <input id="token-input" ref={input} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        <div className="actions">
          <button type="submit">Use this token</button>
        </div>
      </form>
    </div>
  );
}
