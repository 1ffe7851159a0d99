/** `/status/sessions` XML shaped like PMS's own (MediaContainer > Video|Track > Player, Session). */

/** One session for the fixture. */
export interface FixtureSession {
  address: string;
  state?: string;
  /** kbit/s */
  bandwidth?: number;
  /** `Track` for music; `Video` (default) for movies and episodes. */
  type?: 'Video' | 'Track';
  transcode?: boolean;
}

/** Renders the sessions as PMS would list them. */
export function sessionsXml(sessions: readonly FixtureSession[]): string {
  const items = sessions.map((s, i) => {
    const tag = s.type ?? 'Video';
    const transcode = s.transcode
      ? `<TranscodeSession key="/transcode/sessions/tx${i}" throttled="0" complete="0" progress="12.5" speed="3.1" duration="600000" videoDecision="transcode" audioDecision="copy" protocol="hls" container="mpegts" videoCodec="h264" audioCodec="aac"/>`
      : '';
    return `<${tag} addedAt="1700000000" duration="600000" key="/library/metadata/${100 + i}" ratingKey="${100 + i}" sessionKey="${i + 1}" title="Item ${i}" type="${tag === 'Track' ? 'track' : 'movie'}" viewOffset="1000">
<Media id="${i}" bitrate="8000" container="mkv" videoCodec="h264"><Part id="${i}" file="/media/item-${i}.mkv" size="600000000"/></Media>
<User id="1" thumb="https://plex.tv/users/x/avatar" title="viewer${i}"/>
<Player address="${s.address}" device="Browser" machineIdentifier="machine-${i}" model="hosted" platform="Chrome" platformVersion="120.0" product="Plex Web" profile="Web" remotePublicAddress="${s.address}" state="${s.state ?? 'playing'}" title="Chrome &amp; co ${i}" vendor="" version="4.118.0" local="0" relayed="0" secure="1" userID="1"/>
<Session id="session-${i}" bandwidth="${s.bandwidth ?? 8000}" location="wan"/>
${transcode}
</${tag}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="${sessions.length}">\n${items.join('\n')}\n</MediaContainer>\n`;
}
