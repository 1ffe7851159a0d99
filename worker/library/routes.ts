/** The library API's routes (docs/WORKER.md "Library re-encode"), in worker/routes.ts's table; the same X-API-Key as every route. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlexBeamError, isPlexBeamError } from '../../core/errors.ts';
import { readJsonBody, sendJson } from '../http-io.ts';
import type { LibraryManager } from './manager.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, id: string, url: URL) => Promise<void> | void;

/** A full disk is 507 Insufficient Storage (http-io's table knows no such status): the code says which. */
async function orInsufficientStorage(res: ServerResponse, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isPlexBeamError(error, 'LIBRARY_DISK_FULL') || res.headersSent) throw error;
    res.setHeader('connection', 'close');
    sendJson(res, 507, { error: error.message, code: error.code });
  }
}

/**
 * `POST /library/jobs` (201), `GET /library/jobs[/:id]`, `DELETE /library/jobs/:id`; in stream mode
 * also `PUT /library/jobs/:id/input?offset=N` and `GET /library/jobs/:id/output`. A draining worker
 * takes no new job (503).
 */
export function libraryRoutes(library: LibraryManager, options: { maxBodyBytes: number; draining(): boolean }): [string, RegExp, Handler][] {
  const find = (id: string) => {
    const job = library.get(id);
    if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no library job ${id}`);
    return job;
  };
  return [
    ['POST', /^\/library\/jobs$/, (req, res) => orInsufficientStorage(res, async () => {
      if (options.draining()) throw new PlexBeamError('WORKER_BUSY', 'the worker is draining: it takes no new library job (plexbeam worker resume)');
      const job = await library.submit(await readJsonBody(req, options.maxBodyBytes));
      sendJson(res, 201, job);
    })],
    ['GET', /^\/library\/jobs$/, (_req, res) => sendJson(res, 200, { jobs: library.list(), ...library.counts() })],
    ['GET', /^\/library\/jobs\/([^/]+)$/, (_req, res, id) => sendJson(res, 200, find(id))],
    ['DELETE', /^\/library\/jobs\/([^/]+)$/, async (_req, res, id) => sendJson(res, 200, await library.cancel(id))],
    ['PUT', /^\/library\/jobs\/([^/]+)\/input$/, (req, res, id, url) => orInsufficientStorage(res, () => library.writeInput(id, req, res, url.searchParams.get('offset')))],
    ['GET', /^\/library\/jobs\/([^/]+)\/output$/, (_req, res, id) => library.serveOutput(id, res)],
  ];
}
