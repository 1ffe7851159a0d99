/** One line of `plexbeam doctor`'s checklist, and the report `--json` prints. */

/** A check's outcome; `fix` says what to do when it failed (null when it passed). */
export interface Check {
  /** Stable id, e.g. `worker.gpu-box.auth`. */
  name: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

/** `plexbeam doctor --json`. */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** A passed check. */
export function pass(name: string, detail: string): Check {
  return { name, ok: true, detail, fix: null };
}

/** A failed check with its fix. */
export function fail(name: string, detail: string, fix: string): Check {
  return { name, ok: false, detail, fix };
}

/** The report for a list of checks: ok when every one passed. */
export function toReport(checks: Check[]): DoctorReport {
  return { ok: checks.every((check) => check.ok), checks };
}
