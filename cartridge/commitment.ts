/**
 * What the cartridge has committed to, so that a last-resort run of Plex's transcoder (after a
 * failure of the cartridge itself) starts only while nothing else runs and nothing reached Plex.
 * `main.ts` creates it ({ committed: false, cancelRemote: null }); `run.ts` and `remote.ts` fill it in.
 */
export interface Commitment {
  /** True once Plex's transcoder was started or a remote job's output reached Plex: nothing else may run then. */
  committed: boolean;
  /** Cancels the remote job under way, if one is (set while its link is open). */
  cancelRemote: (() => Promise<void>) | null;
}
