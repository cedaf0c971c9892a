import { Store } from './store';

// Client-side routing on real paths (/, /power, /charts…): the server answers every such GET with
// index.html (src/http/static.ts), so a reload or a bookmark lands on the same page.

export const PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/power', label: 'Power' },
  { path: '/charts', label: 'Charts' },
  { path: '/energy', label: 'Energy' },
  { path: '/rules', label: 'Rules' },
  { path: '/settings', label: 'Settings' },
] as const;

export const route = new Store<string>(normalise(location.pathname));

function normalise(p: string): string {
  const path = p.replace(/\/+$/, '') || '/';
  return PAGES.some((x) => x.path === path) ? path : '/';
}

export function navigate(path: string): void {
  const p = normalise(path);
  if (p !== location.pathname) history.pushState(null, '', p);
  route.set(p);
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => route.set(normalise(location.pathname)));
