import t from 'tap';
import { clientHint } from '../../cartridge/client-hint.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { loadCorpus } from '../harness/corpus.ts';

t.test('the client comes from the session id Plex puts in the cwd or the callback paths', async (t) => {
  t.equal(clientHint('/transcode/Transcode/Sessions/plex-transcode-875a95c7bc0072ef-com-plexapp-android-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', []), 'Plex for Android');
  t.equal(clientHint('/tmp/session', [{ url: 'http://127.0.0.1:32400/video/:/transcode/session/875a95c7bc0072ef-com-plexapp-android/26836fd9-9a79-4de7-b7c1-d01d25b2fcda/progress' }]), 'Plex for Android');
  t.equal(clientHint('/x/plex-transcode-abc-com-plexapp-roku-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', []), 'com-plexapp-roku', 'an unknown product is kept as Plex wrote it');
});

t.test("a callback URL's X-Plex-Product, Platform or Client-Identifier names the client", async (t) => {
  const url = (query: string) => [{ url: `http://127.0.0.1:32400/video/:/transcode/session/p7cj645pufczy/1/progress?${query}` }];
  t.equal(clientHint('/tmp', url('X-Plex-Product=Plex%20Web&X-Plex-Platform=Chrome')), 'Plex Web', 'the product first');
  t.equal(clientHint('/tmp', url('X-Plex-Platform=Roku')), 'Roku');
  t.equal(clientHint('/tmp', url('X-Plex-Client-Identifier=875a95c7bc0072ef-com-plexapp-android')), 'Plex for Android');
  t.equal(clientHint('/tmp', url('X-Plex-Client-Identifier=2f0e6c1a-5c1d-4a57-9f0c-1d1a0e9b7c11')), null, 'a bare identifier names nothing');
  t.equal(clientHint('/tmp', url('X-Plex-Http-Pipeline=infinite')), null);
});

t.test("the EAE prefix carries the session id too", async (t) => {
  t.equal(clientHint('/tmp', [], ['-codec:1', 'eac3_eae', '-eae_prefix:1', '689d14c290fef10b-com-plexapp-android_', '-i', '/m/a.mkv']), 'Plex for Android');
  t.equal(clientHint('/tmp', [], ['-eae_prefix:1', 'b54ca799-9a71-4d71-b4a7-03099f095c57_']), null);
});

t.test('UUID-only and random session ids name no client', async (t) => {
  t.equal(clientHint('/transcode/Transcode/Sessions/plex-transcode-b54ca799-9a71-4d71-b4a7-03099f095c57-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', [
    { url: 'http://127.0.0.1:32400/video/:/transcode/session/b54ca799-9a71-4d71-b4a7-03099f095c57/26836fd9-9a79-4de7-b7c1-d01d25b2fcda/progress' },
  ]), null);
  t.equal(clientHint('/', []), null);
});

t.test('what the captured argv tell: none of the corpus callback URLs names its client', async (t) => {
  // The captures are Android, Plex Web and older clients, but their session ids are UUIDs or
  // random, and no query carries X-Plex-Product: only a cwd like Plex for Android's says more.
  for (const sample of loadCorpus()) {
    t.equal(clientHint('/transcode', parsePlexArgv(sample.argv).callbackUrls, sample.argv), null, sample.id);
  }
});
