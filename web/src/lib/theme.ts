import { Store } from './store';

// Light/dark: follows prefers-color-scheme until the user picks one (kept in localStorage).
export type Theme = 'light' | 'dark';
const KEY = 'p2m-theme';

const media = () => window.matchMedia('(prefers-color-scheme: dark)');
const saved = (): Theme | null => {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : null;
};

export const theme = new Store<Theme>('light');

function apply(t: Theme): void {
  document.documentElement.dataset.theme = t;
  theme.set(t);
}

export function initTheme(): void {
  apply(saved() ?? (media().matches ? 'dark' : 'light'));
  media().addEventListener('change', (e) => {
    if (saved() === null) apply(e.matches ? 'dark' : 'light');
  });
}

export function toggleTheme(): void {
  const next: Theme = theme.value === 'dark' ? 'light' : 'dark';
  localStorage.setItem(KEY, next);
  apply(next);
}
