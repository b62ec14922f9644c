import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors.ts';
import { assembleRunReport, concludeRun, emptyReport, type RunReport } from '../src/run-report.ts';

// The run report is assembled once from the stages' results, and how a run ended is read from it: both pure.

function reportWith(mails: Partial<RunReport['mails']>, stopped: string | null = null, failures = 0): RunReport {
  const report = emptyReport('2025-11-14');
  report.mails = { ...report.mails, planned: 10, ...mails };
  report.delivery.stopped = stopped;
  for (let i = 0; i < failures; i += 1) report.failures.push({ where: 'feed', error: 'stale' });
  return report;
}

describe('concludeRun', () => {
  it.each([
    ['everything sent', reportWith({ sent: 10 }), 'sent', 'sent 10 mails', EXIT.ok],
    ['sent by an earlier run too', reportWith({ sent: 4, alreadySent: 6 }), 'sent', 'sent 4 mails (6 already sent before)', EXIT.ok],
    ['stopped before anything went out', reportWith({}, 'quota'), 'failed', 'stopped: quota; nothing sent', EXIT.failed],
    ['every mail failed', reportWith({ failed: 7, bounced: 3 }), 'failed', 'every mail failed (10); nothing sent', EXIT.failed],
    ['stopped half-way', reportWith({ sent: 4, remaining: 6 }, 'quota'), 'partial', 'stopped after 4 mails: quota; 6 left for the next run', EXIT.partial],
    ['a problem elsewhere', reportWith({ sent: 10 }, null, 1), 'partial', 'sent 10 mails with 1 problems', EXIT.partial],
    [
      'unknown outcomes',
      reportWith({ sent: 9, unknown: 1 }),
      'partial',
      'sent 9 mails with 0 problems; 1 mails may or may not have been delivered (not sent again: --resend-unknown sends them, a reader may then get two copies)',
      EXIT.partial,
    ],
  ] as const)('%s', (_name, report, status, message, exitCode) => {
    expect(concludeRun(report, false)).toEqual({ status, message, exitCode });
  });

  it('a dry run only says how many mails were rendered', () => {
    expect(concludeRun(reportWith({}), true)).toEqual({ status: 'dry-run', message: 'dry run: 10 mails rendered, nothing sent', exitCode: EXIT.ok });
  });
});

describe('assembleRunReport', () => {
  it('is the empty report when no stage ran', () => {
    expect(assembleRunReport({ batchDate: '2025-11-14' })).toEqual(emptyReport('2025-11-14'));
  });

  it('lists problems in stage order and counts matching papers once across domains', () => {
    const paper = { id: '2511.00001' } as never;
    const report = assembleRunReport({
      batchDate: '2025-11-14',
      collected: {
        source: 'feed',
        feeds: [{ source: 'a.xml', papers: 1, batchDate: '2025-11-14', skippedItems: 0 }],
        problems: [{ where: 'b.xml', error: 'not read' }],
        papers: [paper],
        missing: null,
        sources: ['a.xml', 'b.xml'],
      },
      selections: [
        { domain: { id: 'llm' } as never, matches: [{ paper } as never] },
        { domain: { id: 'agents' } as never, matches: [{ paper } as never] },
      ],
      translated: {
        report: { errors: ['timed out'] } as never,
        chinese: { papers: 1, titles: 1, abstracts: 0 },
      },
    });
    expect(report.papers).toBe(1);
    expect(report.matching).toBe(1);
    expect(report.domains).toEqual([
      { id: 'llm', matched: 1 },
      { id: 'agents', matched: 1 },
    ]);
    expect(report.failures).toEqual([
      { where: 'b.xml', error: 'not read' },
      { where: 'translation', error: 'timed out' },
    ]);
    expect(report.chinese).toEqual({ papers: 1, titles: 1, abstracts: 0 });
  });
});
