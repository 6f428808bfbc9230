/**
 * Words for states and times, shared by the sidebar's components.
 */
import { CheckpointState, ICheckpointRow, IModuleRow, ITestCounts, ModuleState } from './types';

const MODULE_STATES: Record<ModuleState, string> = {
  not_started: 'Not started',
  exported: 'Exported',
  tests_failing: 'Tests failing',
  tests_passing: 'Tests passing',
  complete: 'Complete'
};

const CHECKPOINT_STATES: Record<CheckpointState, string> = {
  locked: 'Locked',
  ready: 'Ready to run',
  passed: 'Passed',
  failed: 'Failed'
};

export function moduleStateLabel(state: string): string {
  return MODULE_STATES[state as ModuleState] ?? state;
}

export function checkpointStateLabel(state: string): string {
  return CHECKPOINT_STATES[state as CheckpointState] ?? state;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago"; `epochSeconds` as the API gives times. */
export function timeAgo(epochSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, Math.round(nowMs / 1000 - epochSeconds));
  if (seconds < 45) {
    return 'just now';
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.round(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** The full date and time, for a tooltip. */
export function fullTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleString();
}

/** "3 of 3 tests passed", "1 of 3 tests passed, 2 failed". */
export function testCounts(counts: ITestCounts | null): string {
  if (!counts || !counts.total) {
    return '';
  }
  const bad = (counts.failed ?? 0) + (counts.error ?? 0);
  const base = `${counts.passed} of ${counts.total} tests passed`;
  return bad ? `${base}, ${bad} failed` : base;
}

/** "module 01_numbers" → "01_numbers", lists as "a, b and c". */
export function list(items: string[]): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Why a checkpoint cannot run yet, in a sentence, or null when it can. The engine says which modules it still
 * needs (`missing_modules`) and calls it `locked` then; a checkpoint that ran once can still lack modules (one was
 * reset since), and it cannot be run for a pass until they are complete again.
 */
export function lockedBecause(checkpoint: Pick<ICheckpointRow, 'state' | 'missing_modules'>): string | null {
  const missing = checkpoint.missing_modules ?? [];
  if (missing.length) {
    return `Locked: complete ${list(missing)} first, then run this checkpoint.`;
  }
  return checkpoint.state === 'locked' ? 'Locked: complete the modules it needs first.' : null;
}

/** A module's badge: its state, except that a completed module whose latest tests fail is not shown as Complete. */
export function moduleBadge(module: Pick<IModuleRow, 'state' | 'tests' | 'completed_earlier'>): {
  state: string;
  label: string;
  title: string;
} {
  // The state is the server's (a module whose later tests fail is tests_failing there); this only words it.
  const label = moduleStateLabel(module.state);
  const title = module.completed_earlier
    ? `Completed earlier, but its latest test run failed (${testCounts(module.tests)}). Fix them and complete it again.`
    : label;
  return { state: module.state, label, title };
}
