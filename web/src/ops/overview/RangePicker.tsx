import { useState, type FormEvent } from 'react';
import type { OverviewInput } from '../../../../contracts/ops.ts';
import { RANGES, todayIn } from './range.ts';

/** Today, 7 or 30 days, or two days of the operator's choosing (inclusive), in the operator's time zone. */
export function RangePicker({ value, onChange }: { value: OverviewInput; onChange: (v: OverviewInput) => void }) {
  const today = todayIn(value.timeZone);
  const [from, setFrom] = useState(value.from ?? today);
  const [to, setTo] = useState(value.to ?? today);
  const applyCustom = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    onChange({ range: 'custom', from, to, timeZone: value.timeZone });
  };
  return (
    <form className="row range-picker" onSubmit={applyCustom} data-testid="ov-range">
      <fieldset className="segmented">
        <legend>Range</legend>
        {RANGES.map((r) => (
          <label key={r.value} className={value.range === r.value ? 'on' : undefined}>
            <input
              type="radio"
              name="range"
              value={r.value}
              checked={value.range === r.value}
              onChange={() =>
                onChange(
                  r.value === 'custom'
                    ? { ...value, range: 'custom', from, to }
                    : { range: r.value, timeZone: value.timeZone },
                )
              }
            />
            {r.label}
          </label>
        ))}
      </fieldset>
      {value.range === 'custom' ? (
        <>
          <label className="row">
            From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label className="row">
            To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <button>Show</button>
        </>
      ) : null}
      <span className="muted" data-testid="ov-timezone">
        Days and hours in <strong>{value.timeZone}</strong> (this browser's time zone)
      </span>
    </form>
  );
}
