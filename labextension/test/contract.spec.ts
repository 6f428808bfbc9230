/**
 * The sidebar and the server's OpenAPI document agree: the generated types are the document's, the fake server's
 * checker refuses what the document does not allow, and the event bus schema names the job states the document does.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

import { JOB_EVENT_SCHEMA } from '../src/types';
import { FakeServer, moduleRow, testEvent } from './fakeServer';
import { DOCUMENT_PATH, contractViolation } from './openapiContract';

const ROOT = join(__dirname, '..');

test('src/api.generated.ts is what `npm run gen:types` makes of openapi.json today', () => {
  // Fails after openapi.json changes until someone runs `npm run gen:types` (and the types it breaks are fixed).
  expect(() =>
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-types.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' })
  ).not.toThrow();
});

describe('the fake server’s checker', () => {
  it('takes what the real server answers', () => {
    const status = { modules: [moduleRow('01_numbers')], complete: 0, total: 1, warnings: [] };
    expect(contractViolation('GET', 'modules', 200, status)).toBeNull();
  });

  it('refuses a row without a field the document requires, or with a state it does not list', () => {
    const { notebook: _dropped, ...row } = moduleRow('01_numbers');
    expect(contractViolation('GET', 'modules', 200, { modules: [row], complete: 0, total: 1, warnings: [] })).toMatch(
      /must have required property 'notebook'/
    );
    const odd = { ...moduleRow('01_numbers'), state: 'done' };
    expect(contractViolation('GET', 'modules', 200, { modules: [odd], complete: 0, total: 1, warnings: [] })).toMatch(
      /must be equal to one of the allowed values/
    );
  });

  it('takes the fake’s course as the real server’s definitions, and refuses status rows in their place', () => {
    const course = new FakeServer().course();
    expect(contractViolation('GET', 'course', 200, course)).toBeNull();
    expect(contractViolation('GET', 'course', 200, { ...course, modules: [moduleRow('01_numbers')] })).toMatch(
      /must NOT have additional properties/
    );
  });

  it('refuses a status the route does not answer with, and a route the server does not have', () => {
    expect(contractViolation('POST', 'checkpoints/c01/run', 409, { message: 'locked', reason: 'busy' })).toMatch(
      /lists no 409 answer/
    );
    expect(contractViolation('GET', 'modules/01_x/tests/extra', 200, {})).toMatch(/no such route/);
  });

  it('takes null where the document says nullable, and nothing else', () => {
    const job = new FakeServer().addJob('module.test', { modules: ['01_numbers'] }, 'sidebar').job;
    expect(contractViolation('GET', `jobs/${job.id}`, 200, job)).toBeNull();
    expect(contractViolation('GET', `jobs/${job.id}`, 200, { ...job, started: 'soon' })).toMatch(/started/);
  });
});

test('a job’s events are held to the shape of their kind: a field the kind lacks, or a kind not listed, is refused', () => {
  const job = new FakeServer().addJob('module.test', { modules: ['01_numbers'] }, 'sidebar').job;
  const answer = (events: unknown[]) => ({ ...job, events, event_count: events.length });
  const step = { event: 'step', step: 'test', state: 'running', module: '01_numbers', time: 1 };
  const test = testEvent('m.ipynb::test_add', 'passed');
  expect(contractViolation('GET', `jobs/${job.id}`, 200, answer([step, test]))).toBeNull();
  for (const drifted of [
    { ...step, count: 3 }, // a field of another kind
    { ...step, state: 'done' }, // a state no step has
    { ...test, phase: undefined }, // a test event without its phase
    { event: 'sparkle', time: 1 } // a kind the document does not name
  ]) {
    expect(
      contractViolation('GET', `jobs/${job.id}`, 200, answer([step, JSON.parse(JSON.stringify(drifted))]))
    ).toMatch(/events/);
  }
});

test('the job events on the bus name the schema and the job states the REST document does', () => {
  const bus = JSON.parse(readFileSync(join(DOCUMENT_PATH, '..', 'job-event.schema.json'), 'utf-8')) as {
    $id: string;
    properties: { state: { enum: string[] } };
  };
  const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf-8')) as {
    components: { schemas: { Job: { properties: { state: { enum: string[] } } } } };
  };
  expect(bus.$id).toBe(JOB_EVENT_SCHEMA);
  expect(bus.properties.state.enum).toEqual(document.components.schemas.Job.properties.state.enum);
});
