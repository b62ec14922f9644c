import { describe, expect, it } from 'vitest';
import { ARXIV_HOLIDAYS_2025_2026, feedDueAt } from '../../src/arxiv/calendar.ts';
import {
  dueBatch,
  nextPollStep,
  planTick,
  policyOf,
  type TickPlan,
} from '../../src/schedule/plan-tick.ts';
import { nextTick } from '../../src/schedule/run-scheduler.ts';
import { testConfig } from './scheduler-world.ts';

const HOLIDAYS = new Set(ARXIV_HOLIDAYS_2025_2026);
const POLICY = policyOf({ pollIntervalMinutes: 15, pollDeadlineMinutes: 240, lateCutoffHours: 12 });
const never = () => false;

describe('feedDueAt', () => {
  it.each([
    ['2025-11-14', '2025-11-14T05:00:00.000Z'], // EST: midnight New York is 05:00 UTC
    ['2025-10-31', '2025-10-31T04:00:00.000Z'], // EDT
    ['2025-11-03', '2025-11-03T05:00:00.000Z'], // the day after DST ended (Sun 2 Nov 2025)
    ['2026-03-09', '2026-03-09T04:00:00.000Z'], // the day after DST began (Sun 8 Mar 2026)
    ['2025-03-10', '2025-03-10T04:00:00.000Z'],
    ['2026-11-02', '2026-11-02T05:00:00.000Z'],
  ])('the feed of %s is due at %s', (date, due) => {
    expect(feedDueAt(date).toISOString()).toBe(due);
  });
});

describe('the default tick (13:30 Asia/Shanghai) across weekends, holidays and DST changes', () => {
  // 13:30 Beijing is 05:30 UTC all year: 01:30 in New York in summer, 00:30 in winter. Either way the batch of the
  // New York date is out, so each tick goes for exactly that batch, or for none.
  it.each([
    ['2025-03-07T05:30:00Z', '2025-03-07', 'Fri before the 2025 spring change (EST)'],
    ['2025-03-08T05:30:00Z', null, 'Saturday'],
    ['2025-03-09T05:30:00Z', null, 'Sunday: the clocks change at 02:00'],
    ['2025-03-10T05:30:00Z', '2025-03-10', 'Monday after the change (EDT)'],
    ['2025-10-31T05:30:00Z', '2025-10-31', 'Friday (EDT)'],
    ['2025-11-01T05:30:00Z', null, 'Saturday'],
    ['2025-11-02T05:30:00Z', null, 'Sunday: the clocks go back at 02:00'],
    ['2025-11-03T05:30:00Z', '2025-11-03', 'Monday after the change (EST), Sunday announcement'],
    ['2025-11-27T05:30:00Z', '2025-11-27', 'Thanksgiving (Thu): Wednesday was announced'],
    ['2025-11-28T05:30:00Z', null, 'Friday after the Thursday holiday: nothing was announced'],
    ['2025-12-01T05:30:00Z', '2025-12-01', 'Monday: the Sunday announcement went ahead'],
    ['2025-12-26T05:30:00Z', null, 'Friday after Christmas (Thu)'],
    ['2025-07-07T05:30:00Z', null, 'Monday after the Friday holiday (4 July): no Sunday announcement'],
    ['2025-07-08T05:30:00Z', '2025-07-08', 'Tuesday: Monday was announced'],
    ['2026-03-06T05:30:00Z', '2026-03-06', 'Fri before the 2026 spring change (EST)'],
    ['2026-03-09T05:30:00Z', '2026-03-09', 'Monday after the change (EDT)'],
    ['2026-06-19T05:30:00Z', '2026-06-19', 'Juneteenth (Fri): Thursday was announced'],
    ['2026-06-22T05:30:00Z', null, 'Monday after the Friday holiday: no Sunday announcement'],
    ['2026-06-23T05:30:00Z', '2026-06-23', 'Tuesday'],
    ['2026-10-30T05:30:00Z', '2026-10-30', 'Fri before the 2026 autumn change (EDT)'],
    ['2026-11-02T05:30:00Z', '2026-11-02', 'Monday after the change (EST)'],
  ])('%s → %s (%s)', (at, batch, _why) => {
    const plan = planTick(new Date(at), HOLIDAYS, POLICY, never);
    expect(plan.kind === 'collect' ? plan.batchDate : null).toBe(batch);
    if (plan.kind === 'collect') {
      expect(plan.startAt.toISOString()).toBe(new Date(at).toISOString());
      expect(plan.giveUpAt.getTime() - plan.startAt.getTime()).toBe(240 * 60_000);
    } else {
      expect(plan.kind).toBe('no-issue');
      expect((plan as Extract<TickPlan, { kind: 'no-issue' }>).reason).toMatch(/^no issue today/);
    }
  });

  it('croner puts the tick at 05:30 UTC on both sides of both changes', () => {
    const config = testConfig();
    for (const from of ['2025-03-07T00:00:00Z', '2025-10-30T00:00:00Z', '2026-03-06T00:00:00Z', '2026-10-29T00:00:00Z']) {
      let t = new Date(from);
      for (let i = 0; i < 6; i++) {
        t = nextTick(config, t)!;
        expect(t.toISOString().slice(11)).toBe('05:30:00.000Z');
      }
    }
  });

  it('a New York cron time keeps its local hour across the change', () => {
    const config = testConfig({ schedule: { cron: '30 0 * * *', timezone: 'America/New_York' } });
    expect(nextTick(config, new Date('2025-11-01T12:00:00Z'))!.toISOString()).toBe('2025-11-02T04:30:00.000Z');
    expect(nextTick(config, new Date('2025-11-02T12:00:00Z'))!.toISOString()).toBe('2025-11-03T05:30:00.000Z');
  });
});

describe('planTick', () => {
  it('a winter tick just before midnight New York waits for the batch due minutes later, not yesterday\'s', () => {
    // 12:05 Beijing on Tue 4 Nov 2025 is 23:05 on Monday in New York: Tuesday's feed is due at 05:00 UTC.
    const plan = planTick(new Date('2025-11-04T04:05:00Z'), HOLIDAYS, POLICY, never);
    expect(plan).toMatchObject({ kind: 'collect', batchDate: '2025-11-04' });
    if (plan.kind !== 'collect') return;
    expect(plan.startAt.toISOString()).toBe('2025-11-04T05:01:00.000Z');
    expect(plan.giveUpAt.toISOString()).toBe('2025-11-04T08:05:00.000Z');
  });

  it('says "no issue today" when the due batch went out already', () => {
    const plan = planTick(new Date('2025-11-14T05:30:00Z'), HOLIDAYS, POLICY, (d) => d === '2025-11-14');
    expect(plan).toEqual({ kind: 'done', batchDate: '2025-11-14', reason: 'no issue today: the batch of 2025-11-14 has been sent already' });
  });

  it('a tick past the cutoff is late, not "no issue"', () => {
    const plan = planTick(new Date('2025-11-14T18:00:00Z'), HOLIDAYS, POLICY, never);
    expect(plan.kind).toBe('late');
    expect(plan).toMatchObject({ batchDate: '2025-11-14' });
    expect((plan as { reason: string }).reason).toMatch(/went up 13 h ago, past schedule\.lateCutoffHours \(12 h\).*--force/);
  });

  it('stops polling at the cutoff when it comes before the tick deadline', () => {
    const plan = planTick(new Date('2025-11-14T14:00:00Z'), HOLIDAYS, POLICY, never);
    expect(plan).toMatchObject({ kind: 'collect', batchDate: '2025-11-14' });
    if (plan.kind === 'collect') expect(plan.giveUpAt.toISOString()).toBe('2025-11-14T17:00:00.000Z');
  });

  it.each([
    ['2025-11-14T05:30:00Z', '2025-11-14'],
    ['2025-11-15T05:30:00Z', null],
    ['2025-11-15T02:00:00Z', '2025-11-14'], // Friday 21:00 in New York: Friday's batch is 21 h old, within 24 h
  ])('dueBatch(%s) with a 24 h cutoff → %s', (at, batch) => {
    expect(dueBatch(new Date(at), HOLIDAYS, { ...POLICY, lateCutoffMs: 24 * 3_600_000 })).toBe(batch);
  });
});

describe('nextPollStep', () => {
  const plan = planTick(new Date('2025-11-14T05:30:00Z'), HOLIDAYS, POLICY, never) as Extract<TickPlan, { kind: 'collect' }>;
  it.each([
    ['current', '2025-11-14T05:30:00Z', { kind: 'run' }],
    ['not-yet', '2025-11-14T05:30:00Z', { kind: 'wait', until: new Date('2025-11-14T05:45:00Z') }],
    ['not-yet', '2025-11-14T09:20:00Z', { kind: 'wait', until: new Date('2025-11-14T09:30:00Z') }],
    ['not-yet', '2025-11-14T09:30:00Z', { kind: 'give-up', late: false }],
    ['current', '2025-11-14T17:00:01Z', { kind: 'give-up', late: true }],
  ] as const)('%s at %s → %j', (verdict, at, step) => {
    expect(nextPollStep(new Date(at), plan, verdict, POLICY)).toEqual(step);
  });
});
