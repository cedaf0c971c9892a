// A reader for the Prometheus text format (0.0.4) as prom-client writes it, for assertions:
// one sample per line, `name{label="value",…} value`, comments (# HELP / # TYPE) kept apart.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromText {
  samples: PromSample[];
  /** `# TYPE` per family. */
  types: Map<string, string>;
  /** The one sample with exactly these labels (every label given), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of a family whose labels include these. */
  all(name: string, labels?: Record<string, string>): PromSample[];
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePromText(text: string): PromText {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  const matches = (s: PromSample, name: string, want: Record<string, string>): boolean =>
    s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v);
  return {
    samples,
    types,
    value(name, labels = {}) {
      const hit = samples.filter((s) => matches(s, name, labels) && Object.keys(s.labels).length === Object.keys(labels).length);
      if (hit.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${hit.length} samples`);
      return hit[0]?.value;
    },
    all(name, labels = {}) {
      return samples.filter((s) => matches(s, name, labels));
    },
  };
}
