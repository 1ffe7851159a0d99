import t from 'tap';
import { clientHint } from '../../cartridge/client-hint.ts';

t.test('the client comes from the session id Plex puts in the cwd or the callback paths', async (t) => {
  t.equal(clientHint('/transcode/Transcode/Sessions/plex-transcode-875a95c7bc0072ef-com-plexapp-android-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', []), 'Android');
  t.equal(clientHint('/tmp/session', [{ url: 'http://127.0.0.1:32400/video/:/transcode/session/875a95c7bc0072ef-com-plexapp-android/26836fd9-9a79-4de7-b7c1-d01d25b2fcda/progress' }]), 'Android');
  t.equal(clientHint('/x/plex-transcode-abc-com-plexapp-roku-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', []), 'com-plexapp-roku', 'an unknown product is kept as Plex wrote it');
});

t.test('UUID-only session ids name no client', async (t) => {
  t.equal(clientHint('/transcode/Transcode/Sessions/plex-transcode-b54ca799-9a71-4d71-b4a7-03099f095c57-26836fd9-9a79-4de7-b7c1-d01d25b2fcda', [
    { url: 'http://127.0.0.1:32400/video/:/transcode/session/b54ca799-9a71-4d71-b4a7-03099f095c57/26836fd9-9a79-4de7-b7c1-d01d25b2fcda/progress' },
  ]), null);
  t.equal(clientHint('/', []), null);
});
