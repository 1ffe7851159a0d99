/** The library API's routes (docs/WORKER.md "Library re-encode"), in worker/routes.ts's table; the same X-API-Key as every route. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlexBeamError } from '../../core/errors.ts';
import { readJsonBody, sendJson } from '../http-io.ts';
import type { LibraryManager } from './manager.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, id: string, url: URL) => Promise<void> | void;

/** `POST /library/jobs` (201), `GET /library/jobs[/:id]`, `DELETE /library/jobs/:id`; a draining worker takes no new one (503). */
export function libraryRoutes(library: LibraryManager, options: { maxBodyBytes: number; draining(): boolean }): [string, RegExp, Handler][] {
  const find = (id: string) => {
    const job = library.get(id);
    if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no library job ${id}`);
    return job;
  };
  return [
    ['POST', /^\/library\/jobs$/, async (req, res) => {
      if (options.draining()) throw new PlexBeamError('WORKER_BUSY', 'the worker is draining: it takes no new library job (plexbeam worker resume)');
      const job = await library.submit(await readJsonBody(req, options.maxBodyBytes));
      sendJson(res, 201, job);
    }],
    ['GET', /^\/library\/jobs$/, (_req, res) => sendJson(res, 200, { jobs: library.list(), ...library.counts() })],
    ['GET', /^\/library\/jobs\/([^/]+)$/, (_req, res, id) => sendJson(res, 200, find(id))],
    ['DELETE', /^\/library\/jobs\/([^/]+)$/, async (_req, res, id) => sendJson(res, 200, await library.cancel(id))],
  ];
}
