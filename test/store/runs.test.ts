import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyReport, finishReport } from '../../src/run-report.ts';
import { planDeliveries } from '../../src/store/deliveries.ts';
import { papersMailedBefore, recordIssuePapers } from '../../src/store/mailed-papers.ts';
import { listRuns, loadRun, recordRun } from '../../src/store/runs.ts';
import type { Database, DeliveryStatus } from '../../src/store/schema.ts';
import { upsertSubscribers } from '../../src/store/subscribers.ts';
import { describeStore } from '../support/test-databases.ts';

let db: Kysely<Database>;
const T0 = new Date('2025-11-14T06:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function readers(n: number): Promise<number[]> {
  const rows = Array.from({ length: n }, (_, i) => ({ email: `r${i + 1}@example.org`, name: null, topics: ['llm'], language: 'en' as const }));
  await upsertSubscribers(db, rows, T0);
  const ids = await db.selectFrom('subscribers').select('id').orderBy('id').execute();
  return ids.map((r) => Number(r.id));
}

async function deliver(batchDate: string, rows: Array<[number, string, DeliveryStatus]>) {
  await planDeliveries(db, batchDate, rows.map(([subscriberId, segmentId]) => ({ subscriberId, segmentId, email: `r${subscriberId}@example.org` })), T0);
  for (const [subscriberId, , status] of rows) {
    await db.updateTable('deliveries').set({ status }).where('batch_date', '=', batchDate).where('subscriber_id', '=', subscriberId).execute();
  }
}

describeStore('runs', (store) => {
  beforeEach(() => {
    db = store.db;
  });

  describe('run history', () => {
    it('stores each run with its report and lists the latest first', async () => {
      const sent = finishReport(emptyReport('2025-11-14'), 1_200, 'sent', 'sent 3 mails', 0);
      sent.mails.sent = 3;
      sent.mails.bounced = 1;
      const first = await recordRun(db, { trigger: 'run', report: sent, startedAt: T0, finishedAt: later(1), host: 'box/1' });
      const none = finishReport(emptyReport(null), 300, 'no-issue', 'no issue today: …', 0);
      await recordRun(db, { trigger: 'schedule', report: none, startedAt: later(60 * 24), host: 'box/2' });

      const runs = await listRuns(db);
      expect(runs.map((r) => [r.trigger, r.batchDate, r.status])).toEqual([
        ['schedule', null, 'no-issue'],
        ['run', '2025-11-14', 'sent'],
      ]);
      expect(runs[1]).toMatchObject({ id: first, exitCode: 0, mailsSent: 3, mailsFailed: 1, durationMs: 60_000, host: 'box/1' });
      expect((await listRuns(db, { batchDate: '2025-11-14' })).map((r) => r.id)).toEqual([first]);
      expect((await listRuns(db, { limit: 1 }))).toHaveLength(1);
      const loaded = await loadRun(db, first);
      expect(loaded?.report).toEqual(sent);
      expect(await loadRun(db, 999)).toBeNull();
    });
  });

  describe('papers mailed before (never the same paper twice)', () => {
    it('finds, per segment of the frozen audience, what its readers got in other issues, whatever segment they were in', async () => {
      const [a, b, c] = await readers(3);
      // Day 1: a and b in en.llm got paper X (v1); c was in en.agents, got Y; b's copy of Z's mail failed.
      await recordIssuePapers(db, '2025-11-13', [
        { segmentId: 'en.llm', papers: [{ id: '2511.00001', version: 1 }] },
        { segmentId: 'en.agents', papers: [{ id: '2511.00002', version: 2 }] },
        { segmentId: 'en.eval', papers: [{ id: '2511.00003', version: 1 }] },
      ], T0);
      await deliver('2025-11-13', [[a!, 'en.llm', 'sent'], [b!, 'en.eval', 'failed'], [c!, 'en.agents', 'unknown']]);
      // Day 2: all three are in en.llm now.
      await deliver('2025-11-14', [[a!, 'en.llm', 'planned'], [b!, 'en.llm', 'planned'], [c!, 'en.llm', 'planned']]);

      const mailed = await papersMailedBefore(db, '2025-11-14', ['2511.00001', '2511.00002', '2511.00003', '2511.00009'], { kind: 'ledger' });
      // X through a's mail; Y through c's (an unknown outcome may have arrived); never Z (b's mail failed).
      expect(mailed).toEqual(new Map([['en.llm', new Map([['2511.00001', 1], ['2511.00002', 2]])]]));

      const byReaders = await papersMailedBefore(db, '2025-11-14', ['2511.00001', '2511.00002'], {
        kind: 'readers',
        bySegment: new Map([['en.llm', [a!]], ['en.agents', [c!]], ['en.new', [b!]]]),
      });
      expect(byReaders).toEqual(
        new Map([
          ['en.llm', new Map([['2511.00001', 1]])],
          ['en.agents', new Map([['2511.00002', 2]])],
        ]),
      );
    });

    it('an issue keeps leaving out what it left out the first time, even after later issues went out', async () => {
      const [a] = await readers(1);
      await recordIssuePapers(db, '2025-11-13', [{ segmentId: 'en.llm', papers: [{ id: '2511.00001', version: 1 }] }], T0);
      await deliver('2025-11-13', [[a!, 'en.llm', 'sent']]);
      // The issue of the 14th records its papers (so its first run is its reference point) …
      await recordIssuePapers(db, '2025-11-14', [{ segmentId: 'en.llm', papers: [{ id: '2511.00002', version: 1 }] }], later(10));
      await deliver('2025-11-14', [[a!, 'en.llm', 'planned']]);
      // … then the 17th goes out carrying 2511.00002 again (a re-run of the 14th must not now drop it).
      await recordIssuePapers(db, '2025-11-17', [{ segmentId: 'en.llm', papers: [{ id: '2511.00002', version: 1 }] }], later(20));
      await deliver('2025-11-17', [[a!, 'en.llm', 'sent']]);

      const mailed = await papersMailedBefore(db, '2025-11-14', ['2511.00001', '2511.00002'], { kind: 'ledger' });
      expect(mailed.get('en.llm')).toEqual(new Map([['2511.00001', 1]]));
      // Recording again keeps the first time.
      await recordIssuePapers(db, '2025-11-14', [{ segmentId: 'en.llm', papers: [{ id: '2511.00002', version: 1 }] }], later(30));
      expect((await papersMailedBefore(db, '2025-11-14', ['2511.00002'], { kind: 'ledger' })).size).toBe(0);
    });

    it('looks up thousands of candidates and readers in chunks', async () => {
      const ids = await readers(3);
      const papers = Array.from({ length: 1200 }, (_, i) => ({ id: `2511.${String(i).padStart(5, '0')}`, version: 1 }));
      await recordIssuePapers(db, '2025-11-13', [{ segmentId: 'en.llm', papers }], T0);
      await deliver('2025-11-13', ids.map((id) => [id, 'en.llm', 'sent'] as [number, string, DeliveryStatus]));
      await deliver('2025-11-14', ids.map((id) => [id, 'en.llm', 'planned'] as [number, string, DeliveryStatus]));
      const mailed = await papersMailedBefore(db, '2025-11-14', papers.map((p) => p.id), { kind: 'ledger' });
      expect(mailed.get('en.llm')?.size).toBe(1200);
    });
  });
});
