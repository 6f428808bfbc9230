/** Open requests from `tito module start NN`: only the open schema's notebooks are opened, nothing else. */
import { Signal } from '@lumino/signaling';

import { OPEN_EVENT_SCHEMA, listenForOpenRequests } from '../src/openRequests';

type Emission = { schema_id: string; [key: string]: unknown };

test('a notebook named by an open request is opened; job events and odd payloads are not', () => {
  const stream = new Signal<unknown, Emission>({});
  const opened: string[] = [];
  listenForOpenRequests(stream, path => opened.push(path));
  stream.emit({ schema_id: 'https://tito-jupyter.org/events/job', path: 'modules/01_a/01_a.ipynb' });
  stream.emit({ schema_id: OPEN_EVENT_SCHEMA, module: '02_b', path: 'modules/02_b/02_b.ipynb' });
  stream.emit({ schema_id: OPEN_EVENT_SCHEMA, module: '02_b', path: 42 });
  stream.emit({ schema_id: OPEN_EVENT_SCHEMA, module: '02_b', path: 'modules/02_b/run.py' });
  expect(opened).toEqual(['modules/02_b/02_b.ipynb']);
});

test('no event stream (an old services package) is no listener and no error', () => {
  expect(() => listenForOpenRequests(null, () => undefined)).not.toThrow();
});
