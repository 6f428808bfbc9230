/** One job as it happens: its steps, a progress bar, then its tests with their failures. */
import * as React from 'react';
import { Button, stopIcon } from '@jupyterlab/ui-components';

import { ITestRun, ITestView, jobStateLabel, progressFraction, runCounts } from '../jobs';
import { IJobView } from '../model';
import { ICellTarget, notWrittenOf } from '../notWritten';
import { isActive } from '../types';
import { NotWrittenList } from './NotWrittenList';
import { ProgressBar } from './ProgressBar';

export interface IJobViewProps {
  view: IJobView;
  onCancel: (view: IJobView) => void;
  /** Take the student to where a test lives. */
  onOpenTest: (test: ITestView, view: IJobView) => void;
  /** Take the student to the notebook cell of a function not written yet. */
  onOpenCell: (notebook: string, target: ICellTarget) => void;
}

const STEP_NAMES: Record<string, string> = {
  export: 'Export',
  test: 'Tests',
  checkpoint: 'Checkpoint',
  record: 'Record progress'
};

const MARKS: Record<string, string> = {
  running: '…',
  passed: '✓',
  failed: '✗',
  error: '✗',
  skipped: '–'
};

export function JobView(props: IJobViewProps): JSX.Element {
  const { view } = props;
  const { job, summary } = view;
  const active = isActive(job.state);
  const fraction = progressFraction(summary, job.state);
  const tone = job.state === 'succeeded' ? 'good' : active ? 'neutral' : 'bad';
  const label = `${view.title}: ${jobStateLabel(job.state)}`;
  // Tests that wait on a function not written yet are shown under that function, not one by one.
  const notWritten = active ? null : notWrittenOf(job.result);
  const grouped = new Set(notWritten?.groups.flatMap(g => g.tests) ?? []);
  return (
    <section className="jp-TitoJob" data-state={job.state} data-job={job.id} aria-label={`Job ${view.title}`}>
      <div className="jp-TitoJob-head">
        <span className="jp-TitoJob-title">{view.title}</span>
        {job.source === 'magic' && (
          <span className="jp-TitoJob-source" title="Started from a %tito cell">
            %tito
          </span>
        )}
        <span className="jp-TitoBadge" data-state={job.state} role="status" aria-label={label}>
          {jobStateLabel(job.state)}
        </span>
        {active && (
          <Button
            minimal
            small
            className="jp-TitoButton"
            aria-label={`Cancel ${view.title}`}
            title={
              job.origin === 'terminal'
                ? 'Stop this run (tito in the terminal is interrupted, as by Ctrl-C)'
                : 'Stop this job'
            }
            onClick={() => props.onCancel(view)}
          >
            <stopIcon.react tag="span" className="jp-TitoButton-icon" />
          </Button>
        )}
      </div>
      {job.origin === 'terminal' && (
        <div
          className="jp-TitoJob-source jp-TitoJob-origin"
          title="Started with tito in a terminal; followed live here"
        >
          from a terminal
        </div>
      )}
      {(active || fraction !== null) && (
        <ProgressBar
          fraction={fraction}
          label={`Progress of ${view.title}`}
          valueText={summary.progress ? `${summary.progress.done} of ${summary.progress.total}` : undefined}
          tone={tone}
        />
      )}
      {summary.steps.length > 0 && (
        <ol className="jp-TitoSteps" aria-label="Steps">
          {summary.steps.map((step, i) => (
            <li key={i} className="jp-TitoStep" data-state={step.state}>
              <span className="jp-TitoMark" data-state={step.state} aria-hidden="true">
                {MARKS[step.state] ?? '·'}
              </span>
              <span>
                {STEP_NAMES[step.step] ?? step.step} {step.checkpoint ?? step.module ?? ''}
                <span className="jp-TitoVisuallyHidden">: {step.state}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
      {summary.tests.length > 0 && (
        <div className="jp-TitoTests">
          {summary.runs.map((run, i) => (
            <div key={i} className="jp-TitoTests-count" data-step={run.step}>
              {countLine(run, job.result)}
            </div>
          ))}
          <TestList
            tests={summary.tests.filter(t => !grouped.has(t.id))}
            onOpen={test => props.onOpenTest(test, view)}
          />
        </div>
      )}
      {/* Outside the tests' scroll box: what to write next is the point of a failed run, all of it in view. */}
      {notWritten && <NotWrittenList view={notWritten} onOpenCell={props.onOpenCell} />}
      {!active && job.result && (
        <div className="jp-TitoJob-summary" data-ok={job.result.ok ? 'true' : 'false'} role="status">
          {job.result.summary}
          {job.result.error?.hint && <div className="jp-TitoJob-hint">{job.result.error.hint}</div>}
        </div>
      )}
      {summary.logs
        .filter(l => l.level === 'warning' || l.level === 'error')
        .map((log, i) => (
          <div key={i} className="jp-TitoJob-log" data-level={log.level}>
            {log.message}
          </div>
        ))}
    </section>
  );
}

/** "Tests 01_numbers: 3 of 3 tests passed", "Checkpoint c01_arithmetic: 0 of 1 tests passed, 1 failed". */
function countLine(run: ITestRun, result: IJobView['job']['result']): string {
  const { passed, failed, total } = runCounts(run, result);
  const subject = `${STEP_NAMES[run.step] ?? run.step} ${run.checkpoint ?? run.module ?? ''}`.trim();
  return `${subject}: ${passed} of ${total} tests passed${failed ? `, ${failed} failed` : ''}`;
}

/**
 * Failures (and tests still running) stay in view; what passed folds into one "48 passed" line the student
 * can open, so a Complete of 50 tests does not push the module list out of the panel.
 */
function TestList(props: { tests: ITestView[]; onOpen: (test: ITestView) => void }): JSX.Element {
  const passed = props.tests.filter(t => t.outcome === 'passed');
  const others = props.tests.filter(t => t.outcome !== 'passed');
  const item = (test: ITestView) => <TestItem key={test.id} test={test} onOpen={() => props.onOpen(test)} />;
  return (
    <>
      {others.length > 0 && (
        <ul className="jp-TitoTests-list" aria-label="Tests not passed">
          {others.map(item)}
        </ul>
      )}
      {passed.length > 0 && (
        <details className="jp-TitoTests-passed">
          <summary className="jp-TitoTests-passedCount">{passed.length} passed</summary>
          <ul className="jp-TitoTests-list" aria-label="Tests passed">
            {passed.map(item)}
          </ul>
        </details>
      )}
    </>
  );
}

function TestItem(props: { test: ITestView; onOpen: () => void }): JSX.Element {
  const { test } = props;
  const failed = test.outcome === 'failed' || test.outcome === 'error';
  return (
    <li className="jp-TitoTest" data-outcome={test.outcome} data-test={test.id}>
      <div className="jp-TitoTest-line">
        <span className="jp-TitoMark" data-state={test.outcome} aria-hidden="true">
          {MARKS[test.outcome] ?? '·'}
        </span>
        <span className="jp-TitoTest-name" title={test.id}>
          {test.name}
        </span>
        <span className="jp-TitoVisuallyHidden">: {test.outcome}</span>
      </div>
      {failed && (
        <div className="jp-TitoTest-failure">
          {test.message && <pre className="jp-TitoTest-message">{test.message}</pre>}
          <Button
            minimal
            small
            className="jp-TitoButton jp-TitoTest-go"
            aria-label={`Go to ${test.name} in the notebook`}
            title={test.file.endsWith('.ipynb') ? `Open ${test.file} at ${test.name}` : 'Open the notebook'}
            onClick={props.onOpen}
          >
            Go to the notebook
          </Button>
        </div>
      )}
    </li>
  );
}
