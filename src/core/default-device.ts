// The device meant when none is named (SPEC §12.1 rules and watchdogs, §14.1 device-scoped
// endpoints, the original's rule): the only device, else the only `cyberpower` one. Pure; the
// config schema, the rules engine, the watchdogs and the web server all resolve it this way.

/** That device, or undefined when there is none or the choice is not one device. */
export function defaultDevice<T extends { kind: string }>(all: readonly T[]): T | undefined {
  const pool = all.length === 1 ? all : all.filter((d) => d.kind === 'cyberpower');
  return pool.length === 1 ? pool[0] : undefined;
}
