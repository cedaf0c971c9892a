import { useState } from 'preact/hooks';
import { api } from './lib/api';
import type { AuthStatus } from './lib/types';
import { ErrorBox, Field } from './components/ui';

// The login overlay (auth on, SPEC §16) and the first-run page (server locked: setup code from
// the log → first admin, §16.3). Both call `done` with the fresh auth status.

export function LoginPage(props: { onDone: (s: AuthStatus) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/login', username === '' ? { password } : { username, password });
      props.onDone(await api<AuthStatus>('GET', '/api/auth/status'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to power2mqtt</h1>
        <Field label="Username">
          <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={error} />
        <button class="btn primary" type="submit" disabled={busy}>Sign in</button>
      </form>
    </div>
  );
}

export function FirstRunPage(props: { onDone: (s: AuthStatus) => void }) {
  const [code, setCode] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (password !== repeat) {
      setError(new Error('the two passwords differ'));
      return;
    }
    try {
      await api('POST', '/api/auth/setup', { setup_code: code.trim(), username, password });
      props.onDone(await api<AuthStatus>('GET', '/api/auth/status'));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={submit} aria-labelledby="setup-title">
        <h1 id="setup-title">Welcome to power2mqtt</h1>
        <p>This server listens on a network address and has no users yet, so it is locked. Enter the one-time setup code printed in the service log and create the first administrator.</p>
        <Field label="Setup code">
          <input name="setup_code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} autoFocus autocomplete="one-time-code" />
        </Field>
        <Field label="Admin username">
          <input name="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autocomplete="username" />
        </Field>
        <Field label="Password">
          <input name="password" type="password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" />
        </Field>
        <Field label="Repeat password">
          <input name="repeat" type="password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} autocomplete="new-password" />
        </Field>
        <ErrorBox error={error} />
        <button class="btn primary" type="submit">Create admin</button>
      </form>
    </div>
  );
}
