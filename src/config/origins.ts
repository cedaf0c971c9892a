// Records which layer (default < file < runtime < env < cli, SPEC §3.1) supplied each value, for
// check-config and GET /api/config; `runtime` = a setting saved through PUT /api/config.
import type { Path } from './introspect.js';
import { dotted, leaves } from './tree.js';

export type Origin = 'default' | 'file' | 'runtime' | 'env' | 'cli';

const RANK: Record<Origin, number> = { default: 0, file: 1, runtime: 2, env: 3, cli: 4 };

export class OriginTracker {
  /** dotted leaf path of the raw input → the layer that set it */
  private readonly set = new Map<string, Origin>();

  /** A layer set `path` to `value`: it replaces whatever earlier layers put there. */
  record(path: Path, value: unknown, origin: Origin): void {
    const p = dotted(path);
    for (const k of [...this.set.keys()]) if (p === '' || k === p || k.startsWith(`${p}.`)) this.set.delete(k);
    for (const leaf of leaves(value, path)) this.set.set(dotted(leaf.path), origin);
  }

  /** Origin of a leaf of the final config (a list of scalars counts as one leaf). */
  lookup(p: string): Origin {
    const exact = this.set.get(p);
    if (exact) return exact;
    let best: Origin | undefined;
    for (const [k, o] of this.set) if (k.startsWith(`${p}.`) && (!best || RANK[o] > RANK[best])) best = o;
    if (best) return best;
    // A scalar set higher up (e.g. a section set to null) owns what the schema filled in below it.
    let longest = '';
    for (const [k, o] of this.set) {
      if (p.startsWith(`${k}.`) && k.length > longest.length) [longest, best] = [k, o];
    }
    return best ?? 'default';
  }
}
