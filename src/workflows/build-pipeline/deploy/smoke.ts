/**
 * The smoke tests a release must pass before traffic reaches it: the health route reports the release's version,
 * the API refuses a missing or wrong key, and every collection of the manifest survives a full CRUD round trip.
 * Both deploy targets run them against the new slot's own address, never through the router or the live site.
 */
import { API_KEY_HEADER, HEALTH_PATH, type AppManifest, type ManifestCollection } from '../app/contracts.js';
import type { SmokeResult } from './contracts.js';

export interface SmokeOptions {
  signal?: AbortSignal;
  /** Time limit of each request. */
  timeoutMs?: number;
}

/** A check that failed; its message becomes the result's detail. */
class SmokeFailure extends Error {}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** The generated apps answer a created record with its `id` (a number or a string). */
function recordId(body: unknown): string | number | undefined {
  if (body && typeof body === 'object' && 'id' in body) {
    const id = body.id;
    if (typeof id === 'number' || (typeof id === 'string' && id.length > 0)) return id;
  }
  return undefined;
}

/** Whether every field sent comes back with the same value (the app may add its own fields: id, timestamps). */
function echoes(body: unknown, sent: Record<string, unknown>): string | null {
  if (!body || typeof body !== 'object') return 'the answer is not an object';
  for (const [key, value] of Object.entries(sent)) {
    const got = (body as Record<string, unknown>)[key];
    if (JSON.stringify(got) !== JSON.stringify(value)) return `${key} is ${JSON.stringify(got)}, sent ${JSON.stringify(value)}`;
  }
  return null;
}

/** The list answer: an array, or an object holding one (`items`, `data`, or the only array field). */
function listItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body as unknown[];
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['items', 'data', 'results']) if (Array.isArray(record[key])) return record[key] as unknown[];
    const arrays = Object.values(record).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as unknown[];
  }
  return undefined;
}

const shorten = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Runs every smoke test (one failure does not stop the others: the report says what works and what does not). */
export async function runSmokeTests(
  baseUrl: string,
  manifest: AppManifest,
  apiKey: string,
  expectedVersion: string,
  options: SmokeOptions = {},
): Promise<SmokeResult[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const request = async (method: string, path: string, init: { key?: string | null; body?: unknown } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (init.key) headers[API_KEY_HEADER] = init.key;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(new URL(path, baseUrl), {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new SmokeFailure(`${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the checks compare the text
    }
    return { status: response.status, body, text };
  };
  const expectStatus = (answer: Answer, expected: number, what: string) => {
    if (answer.status !== expected) throw new SmokeFailure(`${what} answered ${answer.status} (expected ${expected}): ${shorten(answer.text)}`);
  };

  const results: SmokeResult[] = [];
  const check = async (name: string, body: () => Promise<string>) => {
    try {
      results.push({ name, passed: true, detail: await body() });
    } catch (error) {
      results.push({ name, passed: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  await check('health reports the release version', async () => {
    const answer = await request('GET', HEALTH_PATH);
    expectStatus(answer, 200, `GET ${HEALTH_PATH}`);
    const version = (answer.body as { version?: unknown } | undefined)?.version;
    if (version !== expectedVersion) throw new SmokeFailure(`${HEALTH_PATH} reports version ${JSON.stringify(version)}, expected ${expectedVersion}`);
    return `${HEALTH_PATH} answered 200 with version ${expectedVersion}`;
  });

  const probe = manifest.collections[0] as ManifestCollection;
  await check('a request without an API key is refused', async () => {
    expectStatus(await request('GET', probe.path, { key: null }), 401, `GET ${probe.path} without ${API_KEY_HEADER}`);
    return `GET ${probe.path} without ${API_KEY_HEADER} answered 401`;
  });
  await check('a request with a wrong API key is refused', async () => {
    // Same length as the real key, so a length shortcut in the app's comparison is not what refuses it.
    const wrong = apiKey.replace(/./g, (c) => (c === 'x' ? 'y' : 'x'));
    expectStatus(await request('GET', probe.path, { key: wrong }), 401, `GET ${probe.path} with a wrong ${API_KEY_HEADER}`);
    return `GET ${probe.path} with a wrong ${API_KEY_HEADER} answered 401`;
  });

  for (const collection of manifest.collections) {
    await check(`${collection.entity}: create, read, update, list and delete`, async () => {
      const key = apiKey;
      const created = await request('POST', collection.path, { key, body: collection.sample });
      expectStatus(created, 201, `POST ${collection.path}`);
      const id = recordId(created.body);
      if (id === undefined) throw new SmokeFailure(`POST ${collection.path} answered 201 without an id: ${shorten(created.text)}`);
      const mismatch = echoes(created.body, collection.sample);
      if (mismatch) throw new SmokeFailure(`POST ${collection.path}: ${mismatch}`);
      const one = `${collection.path}/${encodeURIComponent(String(id))}`;

      const read = await request('GET', one, { key });
      expectStatus(read, 200, `GET ${one}`);
      const readMismatch = echoes(read.body, collection.sample);
      if (readMismatch) throw new SmokeFailure(`GET ${one}: ${readMismatch}`);

      const updated = await request('PUT', one, { key, body: collection.update });
      expectStatus(updated, 200, `PUT ${one}`);
      const reread = await request('GET', one, { key });
      expectStatus(reread, 200, `GET ${one} after PUT`);
      const updateMismatch = echoes(reread.body, collection.update);
      if (updateMismatch) throw new SmokeFailure(`GET ${one} after PUT: ${updateMismatch}`);

      const list = await request('GET', collection.path, { key });
      expectStatus(list, 200, `GET ${collection.path}`);
      const items = listItems(list.body);
      if (!items) throw new SmokeFailure(`GET ${collection.path} did not answer a list: ${shorten(list.text)}`);
      if (!items.some((item) => recordId(item) === id)) throw new SmokeFailure(`GET ${collection.path} does not list the created ${collection.entity} ${id}`);

      expectStatus(await request('DELETE', one, { key }), 204, `DELETE ${one}`);
      expectStatus(await request('GET', one, { key }), 404, `GET ${one} after DELETE`);
      return `${collection.entity} ${id}: POST 201, GET 200, PUT 200, listed, DELETE 204, GET 404`;
    });
  }
  return results;
}
