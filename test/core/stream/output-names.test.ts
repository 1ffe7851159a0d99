// Stream mode's output names (core/stream/output-names.ts) for real corpus argv: what the worker
// may ship back and the cartridge accepts, and which of them are literal names (the ones the worker
// looks at to follow while ffmpeg writes, never a listing of a folder of numbered segments).
import t from 'tap';
import { outputNames } from '../../../core/stream/output-names.ts';
import { loadCorpus } from '../../harness/index.ts';

const argvOf = (id: string) => loadCorpus().find((s) => s.id === id)?.argv as string[];
const CWD = '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Cache/Transcode/Sessions/plex-transcode-x';

t.test('HLS ssegment (20): numbered segments are accepted, header is the literal one', async (t) => {
  const names = outputNames(argvOf('20'), CWD);
  t.ok(names.accepts(`${CWD}/media-00007.ts`), 'a numbered segment');
  t.notOk(names.isLiteral(`${CWD}/media-00007.ts`));
  t.ok(names.literals.includes(`${CWD}/header`), `header is literal: ${names.literals.join(' ')}`);
  t.notOk(names.literals.some((path) => /%\d*d|\$Number/.test(path)), 'no pattern among the literals');
  t.ok(names.literals.every((path) => names.accepts(path) && names.isLiteral(path)), 'every literal is an accepted literal name');
  t.notOk(names.accepts(`${CWD}/../escape.ts`), 'nothing outside');
  t.notOk(names.accepts(`${CWD}/media-x.ts`), 'nor a name the pattern does not make');
});

t.test('Optimize (05): the mp4 in Plex Versions is the one literal output', async (t) => {
  const argv = argvOf('05');
  const names = outputNames(argv, CWD);
  const out = argv.at(-1) as string;
  t.same(names.literals, [out]);
  t.ok(names.isLiteral(out));
});

t.test('DASH (09): init and chunk templates are patterns, not literals', async (t) => {
  const names = outputNames(argvOf('09'), CWD);
  t.ok(names.accepts(`${CWD}/init-stream0.m4s`), 'an init file (init-stream$RepresentationID$.m4s)');
  t.ok(names.accepts(`${CWD}/chunk-stream1-00042.m4s`), 'a chunk (chunk-stream$RepresentationID$-$Number%05d$.m4s)');
  t.notOk(names.isLiteral(`${CWD}/chunk-stream1-00042.m4s`));
  t.notOk(names.literals.some((path) => /\$RepresentationID\$|\$Number/.test(path)), `no template among the literals: ${names.literals.join(' ')}`);
});
