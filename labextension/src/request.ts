/**
 * The one way the sidebar talks to the tito server extension.
 *
 * Every URL is joined with the server's base URL here (the twin of the server's routes), and every failure,
 * from a dropped connection to a `{"message", "reason"}` error body, becomes a `TitoRequestError` whose
 * message a student can read.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Where the REST API lives, below the server's base URL. */
export const API_PATH = 'tito/api';

/** A request that failed; `status` is 0 when the server could not be reached at all. */
export class TitoRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string = ''
  ) {
    super(message);
    this.name = 'TitoRequestError';
  }
}

let defaultSettings: ServerConnection.ISettings | null = null;

/**
 * Call the tito REST API and return its JSON answer.
 *
 * @param endPoint - path below `tito/api/`, optionally with a query string (`jobs/abc?since=3`)
 * @param init - fetch options; a `body` is sent as given (use `JSON.stringify`)
 * @param settings - the server connection; the page's own by default
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings?: ServerConnection.ISettings
): Promise<T> {
  const connection = settings ?? (defaultSettings ??= ServerConnection.makeSettings());
  const [path, query] = endPoint.split('?', 2);
  const url = URLExt.join(connection.baseUrl, API_PATH, path) + (query ? `?${query}` : '');
  const method = init.method ?? 'GET';

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, connection);
  } catch (error) {
    throw new TitoRequestError(
      `Could not reach the Jupyter server (${(error as Error).message || String(error)}). Is it still running?`,
      0,
      'network'
    );
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const body = (typeof data === 'object' && data !== null ? data : {}) as {
      message?: string;
      reason?: string;
    };
    const message =
      body.message || `${method} ${API_PATH}/${path} failed: ${response.status} ${response.statusText}`.trim();
    throw new TitoRequestError(message, response.status, body.reason ?? '');
  }
  return data as T;
}
