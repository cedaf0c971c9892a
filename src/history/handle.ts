import { SeriesCatalog } from './catalog.js';
import { openHistoryDb, type Db } from './db.js';

// The service's one connection and its id catalog, reopened together after repeated write
// failures (SPEC §13.2: 10 consecutive failures reopen the connection).

export class DbHandle {
  private current: Db;
  private cat: SeriesCatalog;

  constructor(
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.current = openHistoryDb(path, { busyTimeoutMs });
    this.cat = new SeriesCatalog(this.current);
  }

  get db(): Db {
    return this.current;
  }

  get catalog(): SeriesCatalog {
    return this.cat;
  }

  /** Close and open again; on failure the old (closed) handle stays and the error is thrown. */
  reopen(): void {
    try {
      this.current.close();
    } catch {
      // already unusable; opening a fresh connection is the point
    }
    this.current = openHistoryDb(this.path, { busyTimeoutMs: this.busyTimeoutMs });
    this.cat = new SeriesCatalog(this.current);
  }

  close(): void {
    if (this.current.open) this.current.close();
  }
}
