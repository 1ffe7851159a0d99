// Filtergraph parsing, escaping and argument handling.
import t from 'tap';
import { buildFilterArgs, parseFilterArgs } from '../../worker/translate/filter-args.ts';
import { parseFiltergraph, serializeFiltergraph, unescapeToken } from '../../worker/translate/filtergraph.ts';
import { loadSample } from './helpers/corpus.ts';

const graphsOf = (n: string): string[] => {
  const argv = loadSample(n);
  return argv.flatMap((a, i) => (argv[i - 1] === '-filter_complex' || argv[i - 1] === '-vf' ? [a] : []));
};

t.test('every corpus graph round-trips byte-exact (spaces after pads aside)', async (t) => {
  for (const n of ['01', '02', '04', '05', '07', '10', '11', '12', '13', '18', '19']) {
    for (const g of graphsOf(n)) t.equal(serializeFiltergraph(parseFiltergraph(g)), g.replace(/\] /g, ']'), `${n}: ${g.slice(0, 40)}`);
  }
});

t.test('chains, pads and filters', async (t) => {
  const g = parseFiltergraph('[0:0]hwupload[0];[0]scale_vaapi=w=3840:h=2160:format=p010[1];[1]hwdownload,format=p010[2]');
  t.equal(g.length, 3);
  t.same(g[2]?.map((f) => f.name), ['hwdownload', 'format']);
  t.same(g[2]?.[0]?.inputs, ['1']);
  t.same(g[2]?.[1]?.outputs, ['2']);
});

t.test("inlineass overrides: Plex's triple backslashes unescape to ASS style overrides", async (t) => {
  const [graph] = graphsOf('01');
  const node = parseFiltergraph(graph ?? '').flat().find((f) => f.name === 'inlineass');
  const args = parseFilterArgs(node?.rawArgs ?? null);
  t.equal(args.find((a) => a.key === 'overrides')?.value,
    'ScaledBorderAndShadow=yes,FontName=Noto Sans Medium,Bold=500,PrimaryColour=&H00FFFFFF,OutlineColour=&H00020713,BackColour=&HCC000000');
  t.equal(args.find((a) => a.key === 'font_size')?.value, '54');
});

t.test('built arguments survive both parsing levels', async (t) => {
  const value = "/media/Girlfriend, Girlfriend (2021) [x]/it's: here.mkv";
  const raw = buildFilterArgs([{ key: 'filename', value }, { key: 'si', value: '2' }]);
  const g = parseFiltergraph(`[0:0]subtitles=${raw}[out]`);
  t.equal(g[0]?.length, 1, 'commas and brackets did not split the graph');
  t.same(parseFilterArgs(g[0]?.[0]?.rawArgs ?? null), [{ key: 'filename', value }, { key: 'si', value: '2' }]);
  t.equal(unescapeToken("  a\\,b 'c d'  "), 'a,b c d');
});

t.test('positional tonemap_cuda arguments', async (t) => {
  const [node] = parseFiltergraph('tonemap_cuda=hable:nv12').flat();
  t.same(parseFilterArgs(node?.rawArgs ?? null), [{ key: null, value: 'hable' }, { key: null, value: 'nv12' }]);
});
