// The HTTP call used to deliver manifests and progress (injectable so tests and the worker can capture).

/** Sends one request; resolves with the status and the response body text. */
export type RequestFn = (method: string, url: string, body?: string) => Promise<{ status: number; body: string }>;

/** Default request function: global fetch, body as text. */
export const fetchRequest: RequestFn = async (method, url, body) => {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: await res.text() };
};
