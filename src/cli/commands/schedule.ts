import { resolve } from 'node:path';
import { createSendProgress } from '../../deliver/index.ts';
import { EXIT, type ExitCode } from '../../errors.ts';
import type { RunReport } from '../../run-report.ts';
import { wireRun } from '../../run-wiring.ts';
import { realSleep, runScheduler, runTick, type SchedulerDeps } from '../../schedule/index.ts';
import { type CliIO, type GlobalOptions, signingSecretOf, withContext } from '../context.ts';
import { parseTransport, renderRunReport } from './run.ts';

export interface ScheduleCommandOptions extends GlobalOptions {
  once?: boolean;
  outbox?: string;
  transport?: string;
  json?: boolean;
}

/** Where a stop request comes from: the process, or a test's emitter. */
export interface SignalSource {
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/**
 * `paperboy schedule`: ticks at schedule.cron until SIGTERM or SIGINT, then lets the batch in flight finish (the
 * sender stops claiming, the mails in flight are recorded, the rest waits for the next run) and exits 0.
 * `--once`: one tick now, exiting with that run's code (0 sent or no issue, 1 nothing sent, 3 sent with failures).
 */
export async function scheduleCommand(
  options: ScheduleCommandOptions,
  io: CliIO,
  control: { signals?: SignalSource; sleep?: SchedulerDeps['sleep'] } = {},
): Promise<ExitCode> {
  return withContext(options, io, async (context) => {
    const { config, holidays, db, log } = context;
    const secret = signingSecretOf(context);
    const outboxDir = resolve(options.outbox ?? config.delivery.outboxDir);
    // Checked before the first tick: a missing SMTP_URL or RESEND_API_KEY is a usage error now, not at 13:30.
    const transportName = parseTransport(options.transport, config.delivery.transport);
    const wiring = wireRun(config, io.env, { outboxDir, transport: transportName });
    // No bar even on a terminal: a scheduler runs for days, and its log is read later.
    const progress = createSendProgress({ transport: transportName, record: (fields) => log.info('sending', fields) });
    const print = (report: RunReport) => io.out(options.json ? JSON.stringify(report) : `${renderRunReport(report)}\n`);
    const deps: SchedulerDeps = {
      db,
      config,
      holidays,
      secret,
      clock: io.now,
      sleep: control.sleep ?? realSleep,
      readFeed: wiring.readFeed,
      readPage: wiring.readPage,
      createTransport: wiring.createTransport,
      outboxDir,
      log,
      onReport: print,
      run: { translation: wiring.translation, onProgress: progress.update },
    };

    const controller = new AbortController();
    const signals = control.signals ?? process;
    const stop = (name: string) => () => {
      if (controller.signal.aborted) return;
      log.info(`paperboy schedule: ${name} received: finishing the batch in flight, taking no new work`);
      controller.abort();
    };
    const onTerm = stop('SIGTERM');
    const onInt = stop('SIGINT');
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
    try {
      if (options.once) {
        const report = await runTick(deps, 'schedule-once', controller.signal);
        return report?.exitCode ?? EXIT.ok;
      }
      log.info(`paperboy schedule: ${config.schedule.cron} in ${config.schedule.timezone}, mail through ${transportName}`);
      await runScheduler(deps, controller.signal);
      log.info('paperboy schedule: stopped');
      return EXIT.ok;
    } finally {
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      progress.end();
    }
  }, { configWarnings: true });
}
