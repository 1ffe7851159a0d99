/** Reads the server's own token (`PlexOnlineToken`) from Plex's Preferences.xml; never logged. */
import { readFile } from 'node:fs/promises';
import { PlexBeamError } from '../core/errors.ts';

/** Returns the token; throws SHAPER_TOKEN when the file cannot be read or holds none. */
export async function readPlexToken(preferencesPath: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(preferencesPath, 'utf8');
  } catch (error) {
    throw new PlexBeamError('SHAPER_TOKEN', `cannot read Plex's preferences ${preferencesPath}: ${(error as Error).message}`, { cause: error });
  }
  const token = /\bPlexOnlineToken="([^"]*)"/.exec(text)?.[1];
  if (token === undefined || token === '') {
    throw new PlexBeamError('SHAPER_TOKEN', `${preferencesPath} has no PlexOnlineToken: sign this server in to Plex (Settings > General)`);
  }
  return token;
}
