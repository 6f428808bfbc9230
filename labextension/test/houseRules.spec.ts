/**
 * Rules of the house the sidebar's code keeps (CONTRIBUTING.md, "The map of the house"), read from its sources.
 *
 * The sidebar only displays: where the student stands, the module that comes next, which module a notebook or a job
 * belongs to are the server's answers (`GET overview`'s `next_module`, `GET notebook`, `job.modules`). Waiting and
 * looking again is @lumino/polling's `Poll`, not timers of its own.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';

const SRC = join(__dirname, '..', 'src');

function sources(): [string, string][] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (/\.tsx?$/.test(entry.name) && entry.name !== 'api.generated.ts') {
        files.push(path);
      }
    }
  };
  walk(SRC);
  return files.map(path => [path.slice(SRC.length + 1), readFileSync(path, 'utf-8')]);
}

function offending(pattern: RegExp): string[] {
  return sources().flatMap(([name, text]) =>
    text
      .split('\n')
      .map((line, i) => [line, i + 1] as const)
      .filter(([line]) => pattern.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//'))
      .map(([line, number]) => `${name}:${number}: ${line.trim()}`)
  );
}

test('the sources are read', () => {
  expect(sources().map(([name]) => name)).toEqual(expect.arrayContaining(['model.ts', 'index.ts', 'jobs.ts']));
});

test('no timers of its own: polls are Lumino Polls', () => {
  expect(offending(/\bset(Timeout|Interval)\s*\(/)).toEqual([]);
});

test('no rule of the course: the next module and a notebook’s module are the server’s to say', () => {
  // "The first module not complete" and "the module whose notebook is this one" were computed here once.
  expect(offending(/state\s*!==?\s*'complete'/)).toEqual([]);
  expect(offending(/\.notebook\s*===\s*(?!null\b)[\w'`]/)).toEqual([]);
  expect(offending(/===\s*\w+\.notebook\b/)).toEqual([]);
});
