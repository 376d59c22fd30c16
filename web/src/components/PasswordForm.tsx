import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { ErrorNote, Field, fieldError } from './ui.js';

/**
 * Changing one's own password: the current one, the new one twice. The server ends every
 * other session of the account; this one stays. `forced`: the first sign-in with a one-time
 * password, where nothing else is possible until it is done.
 */
export function PasswordForm({ forced = false, onDone }: { forced?: boolean; onDone: () => void | Promise<void> }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (next !== again) {
      setError(new ApiError(0, 'invalid_input', 'The two new passwords differ.', 'confirm'));
      return;
    }
    setBusy(true);
    try {
      await api('POST', '/api/v1/me/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      await onDone();
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <form class="password-form" onSubmit={submit} aria-label="Change password">
      <Field label={forced ? 'One-time password' : 'Current password'} id="pw-current" error={fieldError(error, 'currentPassword')}>
        <input id="pw-current" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </Field>
      <Field label="New password" id="pw-new" hint="At least 8 characters." error={fieldError(error, 'newPassword')}>
        <input id="pw-new" type="password" autocomplete="new-password" required minLength={8} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </Field>
      <Field label="New password again" id="pw-again" error={fieldError(error, 'confirm')}>
        <input id="pw-again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </Field>
      <ErrorNote error={error} />
      <button class="primary" type="submit" disabled={busy}>
        {busy ? 'Changing…' : forced ? 'Set password and continue' : 'Change password'}
      </button>
    </form>
  );
}

/** The first sign-in with a one-time password: choose a new one before anything else. */
export function ForcedPasswordChange({ login, onDone }: { login: string; onDone: () => void | Promise<void> }) {
  return (
    <main class="signin">
      <div class="card">
        <h1 id="forced-title">Choose your password</h1>
        <p class="notice" role="status">
          You signed in as <strong>{login}</strong> with a one-time password. Choose your own password to continue.
        </p>
        <PasswordForm forced onDone={onDone} />
      </div>
    </main>
  );
}
