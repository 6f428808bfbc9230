/** Words for states, times and counts. */
import {
  checkpointStateLabel,
  list,
  lockedBecause,
  moduleBadge,
  moduleStateLabel,
  testCounts,
  timeAgo
} from '../src/format';
import { courseFolder, toContentsPath, toCoursePath } from '../src/paths';

describe('format', () => {
  it('names every module and checkpoint state', () => {
    expect(['not_started', 'exported', 'tests_failing', 'tests_passing', 'complete'].map(moduleStateLabel)).toEqual([
      'Not started',
      'Exported',
      'Tests failing',
      'Tests passing',
      'Complete'
    ]);
    expect(['locked', 'ready', 'passed', 'failed'].map(checkpointStateLabel)).toEqual([
      'Locked',
      'Ready to run',
      'Passed',
      'Failed'
    ]);
  });

  it('says how long ago, roughly', () => {
    const now = 1_000_000_000_000;
    const at = (seconds: number) => timeAgo(now / 1000 - seconds, now);
    expect(at(5)).toBe('just now');
    expect(at(5 * 60)).toBe('5 min ago');
    expect(at(3 * 3600)).toBe('3 h ago');
    expect(at(26 * 3600)).toBe('yesterday');
    expect(at(5 * 86400)).toBe('5 days ago');
  });

  it('counts tests', () => {
    expect(testCounts({ passed: 3, failed: 0, error: 0, total: 3 })).toBe('3 of 3 tests passed');
    expect(testCounts({ passed: 1, failed: 1, error: 1, total: 3 })).toBe('1 of 3 tests passed, 2 failed');
    expect(testCounts(null)).toBe('');
  });

  it('joins lists like a sentence', () => {
    expect(list(['01_a'])).toBe('01_a');
    expect(list(['01_a', '02_b', '03_c'])).toBe('01_a, 02_b and 03_c');
  });
});

describe('honest states', () => {
  it('a checkpoint that needs modules cannot run, and says which', () => {
    expect(lockedBecause({ state: 'locked', missing_modules: ['01_tensor', '02_activations'] })).toBe(
      'Locked: complete 01_tensor and 02_activations first, then run this checkpoint.'
    );
    // It ran once, then a module it needs was reset: still not runnable for a pass.
    expect(lockedBecause({ state: 'passed', missing_modules: ['01_tensor'] })).toMatch(/complete 01_tensor first/);
    expect(lockedBecause({ state: 'ready', missing_modules: [] })).toBeNull();
    expect(lockedBecause({ state: 'failed', missing_modules: [] })).toBeNull();
  });

  it('a completed module whose latest tests fail is worded as the server states it', () => {
    const tests = { passed: 44, failed: 7, error: 0, total: 51 };
    const badge = moduleBadge({ state: 'tests_failing', tests, completed_earlier: true });
    expect(badge.label).toBe('Tests failing');
    expect(badge.state).toBe('tests_failing');
    expect(badge.title).toMatch(/latest test run failed \(44 of 51 tests passed, 7 failed\)/);
    const passing = { ...tests, passed: 51, failed: 0 };
    expect(moduleBadge({ state: 'complete', tests: passing, completed_earlier: false }).label).toBe('Complete');
    expect(moduleBadge({ state: 'tests_passing', tests: null, completed_earlier: false }).title).toBe('Tests passing');
  });
});

describe('paths', () => {
  it('finds the course folder below the server root', () => {
    expect(courseFolder('/srv/course', '/srv/course')).toBe('');
    expect(courseFolder('/srv/course/', '/srv')).toBe('course');
    expect(courseFolder('C:\\Users\\me\\course', 'C:/Users/me')).toBe('course');
    expect(courseFolder('/elsewhere', '/srv')).toBeNull();
  });

  it('goes both ways', () => {
    expect(toContentsPath('modules/01_a/01_a.ipynb', '/srv/course', '/srv')).toBe('course/modules/01_a/01_a.ipynb');
    expect(toCoursePath('course/modules/01_a/01_a.ipynb', '/srv/course', '/srv')).toBe('modules/01_a/01_a.ipynb');
    expect(toCoursePath('other/x.ipynb', '/srv/course', '/srv')).toBeNull();
    expect(toCoursePath('x.ipynb', '/elsewhere', '/srv')).toBeNull();
  });
});
