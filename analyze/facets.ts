/** Rolls aggregate rows up by one key (kind, client, codec pair …), in memory bounded by the keys. */
import { createTally, addToTally, seconds, shareOf, type Tally } from './session-sql.ts';
import type { Facet } from './types.ts';

/** One aggregate row's numbers, as `addToTally` takes them. */
export type RowNumbers = Parameters<typeof addToTally>[2];

/** Tallies keyed by a string (null allowed). */
export class TallyMap<K extends string | number | null = string | null> {
  readonly #tallies = new Map<K, Tally>();

  /** Adds a row's numbers under `key`. */
  add(key: K, decision: string | null, row: RowNumbers): void {
    let tally = this.#tallies.get(key);
    if (tally === undefined) this.#tallies.set(key, (tally = createTally()));
    addToTally(tally, decision, row);
  }

  /** Entries, largest count first (then by key, for a stable order). */
  entries(): [K, Tally][] {
    return [...this.#tallies].sort((a, b) => b[1].count - a[1].count || String(a[0]).localeCompare(String(b[0])));
  }

  /** The facet list of this map, shares taken of `total`. */
  facets(total: number, label: (key: K) => string | null = (key) => (key === null ? null : String(key))): Facet[] {
    return this.entries().map(([key, tally]) => ({
      value: label(key),
      count: tally.count,
      share: shareOf(tally.count, total),
      by_decision: { ...tally.byDecision },
      total_s: seconds(tally.durationMs),
    }));
  }
}
