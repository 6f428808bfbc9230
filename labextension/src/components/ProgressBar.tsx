/** A thin bar that fills as work gets done; indeterminate (striped) when the total is unknown. */
import * as React from 'react';

export interface IProgressBarProps {
  /** 0..1, or null when unknown. */
  fraction: number | null;
  label: string;
  /** What the bar is showing, read out instead of the bare percentage. */
  valueText?: string;
  tone?: 'neutral' | 'good' | 'bad';
}

export function ProgressBar(props: IProgressBarProps): JSX.Element {
  const { fraction, label, valueText, tone = 'neutral' } = props;
  const percent = fraction === null ? null : Math.round(fraction * 100);
  return (
    <div
      className="jp-TitoProgress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={valueText}
      data-tone={tone}
      data-indeterminate={percent === null ? 'true' : undefined}
    >
      <div className="jp-TitoProgress-fill" style={{ width: percent === null ? '100%' : `${percent}%` }} />
    </div>
  );
}
