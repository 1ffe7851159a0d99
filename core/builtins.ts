/**
 * Node built-ins without an ES module namespace, for code on the cartridge's start-up path.
 * `import … from 'node:http'` builds a namespace by reading every export, which runs lazy
 * getters (`http.WebSocket` loads undici, `crypto.webcrypto` …): about 100 ms for node:http and
 * 5-15 ms for node:fs or node:crypto, paid on every play and seek. `process.getBuiltinModule`
 * (Node 22.3+; a CommonJS require before) returns the module object as is.
 */
import { createRequire } from 'node:module';

const load: (id: string) => unknown = process.getBuiltinModule ?? createRequire(import.meta.url);

/** `node:http`, loaded on first use. */
export const nodeHttp = () => load('node:http') as typeof import('node:http');
/** `node:https`, loaded on first use (only for workers with https URLs). */
export const nodeHttps = () => load('node:https') as typeof import('node:https');
/** `node:net`, loaded on first use. */
export const nodeNet = () => load('node:net') as typeof import('node:net');
/** `node:child_process`, loaded on first use. */
export const nodeChildProcess = () => load('node:child_process') as typeof import('node:child_process');
/** `node:crypto`, loaded on first use. */
export const nodeCrypto = () => load('node:crypto') as typeof import('node:crypto');
/** `node:dns`, loaded on first use (only for DNS pools the fleet cache does not list). */
export const nodeDns = () => load('node:dns') as typeof import('node:dns');
/** `node:tls`, loaded on first use (only for workers with a pinned certificate). */
export const nodeTls = () => load('node:tls') as typeof import('node:tls');
/** `node:dgram`, loaded on first use (only to wake a sleeping worker, cartridge/wake.ts). */
export const nodeDgram = () => load('node:dgram') as typeof import('node:dgram');
/** `node:fs`, loaded on first use. */
export const nodeFs = () => load('node:fs') as typeof import('node:fs');
