import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { Me } from '../types.js';
import { ErrorNote } from './ui.js';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (me: Me) => Promise<void> }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/sessions', { login, password });
      const me = await api<Me>('GET', '/api/v1/me');
      await onSignedIn(me);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span class="logo" aria-hidden="true">
            p
          </span>{' '}
          Sign in to pchat
        </h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label for="login">Login</label>
          <input id="login" name="login" autocomplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} autofocus />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <ErrorNote error={error} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
