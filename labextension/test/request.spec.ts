/** The request layer, with JupyterLab's real ServerConnection and a fetch that answers from memory. */
import { ServerConnection } from '@jupyterlab/services';

import { TitoRequestError, requestAPI } from '../src/request';

type Answer = { status: number; body?: string };

function settingsAnswering(answer: Answer | Error, seen: Request[]): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/a%40b/',
    wsUrl: 'ws://localhost:8888/a%40b/',
    token: 'secret',
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init));
      if (answer instanceof Error) {
        return Promise.reject(answer);
      }
      return Promise.resolve(new Response(answer.body ?? null, { status: answer.status, statusText: 'Status' }));
    }
  });
}

async function rejection(promise: Promise<unknown>): Promise<TitoRequestError> {
  try {
    await promise;
  } catch (error) {
    return error as TitoRequestError;
  }
  throw new Error('the request did not fail');
}

describe('requestAPI', () => {
  it('joins the path with the base URL and keeps the query', async () => {
    const seen: Request[] = [];
    const data = await requestAPI<{ id: string }>(
      'jobs/abc?since=3',
      {},
      settingsAnswering({ status: 200, body: '{"id": "abc"}' }, seen)
    );
    expect(data).toEqual({ id: 'abc' });
    // ServerConnection may add a cache-busting number to GETs.
    expect(seen[0].url).toMatch(/^http:\/\/localhost:8888\/a%40b\/tito\/api\/jobs\/abc\?since=3(&\d+)?$/);
    expect(seen[0].headers.get('Authorization')).toBe('token secret');
  });

  it('sends the method and body', async () => {
    const seen: Request[] = [];
    const settings = settingsAnswering({ status: 202, body: '{}' }, seen);
    await requestAPI('modules/01_numbers/complete', { method: 'POST', body: '{}' }, settings);
    expect(seen[0].method).toBe('POST');
    expect(await seen[0].text()).toBe('{}');
  });

  it('turns an error body into its message, status and reason', async () => {
    const body = JSON.stringify({ message: 'No module 09. Did you mean 01_numbers?', reason: 'not_found' });
    const error = await rejection(requestAPI('modules/09', {}, settingsAnswering({ status: 404, body }, [])));
    expect(error).toBeInstanceOf(TitoRequestError);
    expect(error.message).toBe('No module 09. Did you mean 01_numbers?');
    expect(error.status).toBe(404);
    expect(error.reason).toBe('not_found');
  });

  it('says what failed when the error has no JSON body', async () => {
    const settings = settingsAnswering({ status: 404, body: '<html>404</html>' }, []);
    const error = await rejection(requestAPI('version', {}, settings));
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/GET tito\/api\/version failed: 404/);
  });

  it('says the server cannot be reached when the connection fails', async () => {
    const settings = settingsAnswering(new TypeError('Failed to fetch'), []);
    const error = await rejection(requestAPI('version', {}, settings));
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/Could not reach the Jupyter server \(Failed to fetch\)/);
  });

  it('answers undefined for an empty body', async () => {
    const settings = settingsAnswering({ status: 204 }, []);
    expect(await requestAPI('jobs/abc', { method: 'DELETE' }, settings)).toBeUndefined();
  });
});
