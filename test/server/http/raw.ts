// Raw HTTP/1.1 over a node:net socket, for requests fetch refuses to send (bad percent-encoding kept as written, a Content-Length that lies).
import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body: unknown;
}

/** Splits what the server wrote into responses (Content-Length framed; the last may run to the close). */
function parseResponses(raw: string): RawReply[] {
  const replies: RawReply[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const [statusLine = '', ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = headers['content-length'] === undefined ? rest.length - headEnd - 4 : Number(headers['content-length']);
    const text = rest.slice(headEnd + 4, headEnd + 4 + length);
    rest = rest.slice(headEnd + 4 + length);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    replies.push({ status: Number(statusLine.split(' ')[1]), headers, body });
  }
  return replies;
}

/**
 * Writes `request` exactly as given and reads every response until the server closes the socket
 * (or `waitMs` passes with the socket still open, as a keep-alive connection would stay).
 */
export function rawRequest(base: string, request: string, waitMs = 1_000): Promise<RawReply[]> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponses(Buffer.concat(chunks).toString('utf8')));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => socket.write(request, 'latin1'));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset the connection after writing its answer; what was read still counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A GET of `target` exactly as written, on a connection closed after the answer. */
export async function rawGet(base: string, target: string, headers: Record<string, string> = {}): Promise<RawReply> {
  const lines = Object.entries({ host: new URL(base).host, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  const [reply] = await rawRequest(base, `GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`);
  if (reply === undefined) throw new Error(`no answer to GET ${target}`);
  return reply;
}
