/** What one confined command may see: the paths bound into its sandbox, its devices, whether it shares the network. */

export interface SandboxSpec {
  /** Working directory inside the sandbox (bound read-write or read-only by the lists below). */
  cwd: string;
  /** Real paths (folders or files) bound read-only, in this order. */
  readOnly: string[];
  /** Real paths bound read-only only if they exist (media roots that may be unmounted). */
  readOnlyTry?: string[];
  /** Real folders bound read-write, after the read-only ones (a `Plex Versions` folder inside a media root). */
  readWrite: string[];
  /** Device nodes or folders of them (`/dev/dri`, `/dev/nvidia0`) bound as devices; `/sys` is then read-only visible. */
  devices: string[];
  /** Share the host's network namespace (an HTTP input or output); otherwise a private one with only loopback. */
  network: boolean;
  /** Why the network is shared (for the log), or null. */
  networkReason: string | null;
}

/** A spec that binds nothing of the job: `ffmpeg -version`, the probe's test encodes. */
export function emptySpec(devices: readonly string[] = []): SandboxSpec {
  return { cwd: '/', readOnly: [], readWrite: [], devices: [...devices], network: false, networkReason: null };
}
