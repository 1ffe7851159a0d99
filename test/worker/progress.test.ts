import t from 'tap';
import { createProgressParser, type ProgressBlock } from '../../worker/progress.ts';

t.test("ffmpeg's -progress blocks become one record each, however the chunks are cut", async (t) => {
  const blocks: ProgressBlock[] = [];
  const feed = createProgressParser((block) => blocks.push(block));
  const text = [
    'frame=0', 'fps=0.00', 'total_size=N/A', 'out_time_us=N/A', 'out_time_ms=N/A', 'speed=N/A', 'progress=continue',
    'frame=51', 'fps=24.97', 'total_size=262192', 'out_time_us=2040000', 'out_time_ms=2040000', 'out_time=00:00:02.040000', 'speed=0.997x', 'progress=continue',
    'frame=101', 'fps=25.00', 'total_size=524336', 'out_time_us=-9223372036854775807', 'speed=1.5x', 'progress=end', '',
  ].join('\n');
  for (let i = 0; i < text.length; i += 7) feed(Buffer.from(text.slice(i, i + 7)));
  t.same(blocks, [
    { out_time_s: null, speed: null, fps: 0, frame: 0, total_size: null, end: false },
    { out_time_s: 2.04, speed: 0.997, fps: 24.97, frame: 51, total_size: 262192, end: false },
    { out_time_s: null, speed: 1.5, fps: 25, frame: 101, total_size: 524336, end: true },
  ]);
});
