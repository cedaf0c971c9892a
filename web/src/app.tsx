import { useEffect, useState } from 'preact/hooks';
import { api, authLost } from './lib/api';
import { connect, conn, disconnect } from './lib/live';
import { navigate, PAGES, route } from './lib/route';
import { useStore } from './lib/store';
import { theme, toggleTheme } from './lib/theme';
import type { AuthStatus } from './lib/types';
import { FirstRunPage, LoginPage } from './auth';
import { DemoBanner } from './components/demo';
import { OverviewPage } from './pages/overview';
import { PowerPage } from './pages/power';
import { ChartsPage } from './pages/charts';
import { EnergyPage } from './pages/energy';
import { RulesPage } from './pages/rules';
import { SettingsPage } from './pages/settings';

type Phase = { kind: 'loading' } | { kind: 'setup' } | { kind: 'login' } | { kind: 'ready'; auth: AuthStatus } | { kind: 'error'; message: string };

function phaseOf(s: AuthStatus): Phase {
  if (s.setup_required) return { kind: 'setup' };
  if (s.auth_enabled && !s.authenticated) return { kind: 'login' };
  return { kind: 'ready', auth: s };
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const lost = useStore(authLost);
  const check = () =>
    api<AuthStatus>('GET', '/api/auth/status').then(
      (s) => setPhase(phaseOf(s)),
      (e: unknown) => setPhase({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  useEffect(() => void check(), [lost]);
  useEffect(() => {
    if (phase.kind === 'ready') connect();
    else disconnect();
  }, [phase.kind]);

  if (phase.kind === 'loading') return <div class="boot" aria-busy="true">Loading…</div>;
  if (phase.kind === 'error') return <div class="boot" role="alert">Cannot reach the power2mqtt API: {phase.message} <button class="btn" onClick={() => void check()}>Retry</button></div>;
  if (phase.kind === 'setup') return <FirstRunPage onDone={(s) => setPhase(phaseOf(s))} />;
  if (phase.kind === 'login') return <LoginPage onDone={(s) => setPhase(phaseOf(s))} />;
  return <Shell auth={phase.auth} onLogout={() => void api('POST', '/api/auth/logout').finally(() => void check())} />;
}

function Shell(props: { auth: AuthStatus; onLogout: () => void }) {
  const path = useStore(route);
  const c = useStore(conn);
  const t = useStore(theme);
  const [demo, setDemo] = useState(false);
  useEffect(() => {
    api<{ demo: boolean }>('GET', '/api/system/info').then((i) => setDemo(i.demo), () => undefined);
  }, []);
  const Page = { '/': OverviewPage, '/power': PowerPage, '/charts': ChartsPage, '/energy': EnergyPage, '/rules': RulesPage, '/settings': SettingsPage }[path] ?? OverviewPage;
  const label = PAGES.find((p) => p.path === path)?.label ?? 'Overview';
  useEffect(() => {
    document.title = `${label} · power2mqtt`;
  }, [label]);
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <div class="brand">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true"><rect width="32" height="32" rx="7" fill="var(--accent)" /><path d="M18 4 8 18h7l-2 10 10-14h-7z" fill="#fff" /></svg>
          <span>power2mqtt</span>
        </div>
        <nav aria-label="Main">
          {PAGES.map((p) => (
            <a key={p.path} href={p.path} aria-current={p.path === path ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(p.path); }}>
              {p.label}
            </a>
          ))}
        </nav>
        <div class="top-tools">
          <span class={`conn conn-${c}`} role="status" data-testid="conn" title="Live connection (WebSocket)">
            <span class="dot" aria-hidden="true" />
            {c === 'open' ? 'Live' : c === 'connecting' ? 'Connecting' : 'Offline'}
          </span>
          <button class="btn icon" type="button" onClick={toggleTheme} aria-label={`Switch to ${t === 'dark' ? 'light' : 'dark'} theme`} title="Theme">
            {t === 'dark' ? '☀' : '☾'}
          </button>
          {props.auth.auth_enabled && props.auth.authenticated && (
            <button class="btn" type="button" onClick={props.onLogout} title={`Signed in as ${props.auth.username ?? ''} (${props.auth.role ?? ''})`}>
              Sign out
            </button>
          )}
        </div>
      </header>
      {demo && <DemoBanner />}
      <main id="main" tabIndex={-1}>
        <h1 class="sr-only">{label}</h1>
        <Page />
      </main>
    </>
  );
}
