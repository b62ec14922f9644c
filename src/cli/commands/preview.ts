import { resolve } from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../../errors.ts';
import { baselineFileOf, createPreviewApp, readBaseline, writePreviewSite, type PreviewDeps } from '../../preview/index.ts';
import { listBatches } from '../../store/batches.ts';
import { translationPreferenceOf } from '../../run-wiring.ts';
import { startServer } from '../../web/start-server.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';
import { parseIsoDate } from './run.ts';

export interface PreviewCommandOptions extends GlobalOptions {
  date?: string;
  port?: string;
  host?: string;
  out?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`--port ${JSON.stringify(value)} is not a port: expected 0–65535 (0 picks a free one)`);
  }
  return port;
}

/**
 * `paperboy preview`: serves the preview on loopback until SIGINT/SIGTERM (or `stop`, for tests), printing its
 * address; with `--out <dir>` writes the same pages as files (the batch of --date, else the latest) and exits.
 */
export async function previewCommand(options: PreviewCommandOptions, io: CliIO, stop?: Promise<void>): Promise<ExitCode> {
  const date = options.date === undefined ? undefined : parseIsoDate(options.date, '--date');
  const port = options.port === undefined ? undefined : parsePort(options.port);
  return withContext(options, io, async ({ config, db, log }) => {
    const deps: PreviewDeps = {
      db,
      config,
      baseline: readBaseline(baselineFileOf(config.preview.compatibilityBaseline)),
      // Translations are picked as the run would pick them: the configured model's first (it is never called here).
      prefer: translationPreferenceOf(config, io.env),
    };

    if (options.out !== undefined) {
      const dir = resolve(options.out);
      const latest = (await listBatches(db))[0]?.batchDate;
      const dates = date ? [date] : latest ? [latest] : [];
      const files = await writePreviewSite(deps, dir, dates);
      io.out(`paperboy preview: wrote ${files.length} files to ${dir} (open ${dir}/${dates[0] ? `${dates[0]}/` : ''}index.html)`);
      return EXIT.ok;
    }

    const server = await startServer(createPreviewApp(deps), {
      host: options.host ?? config.preview.host,
      port: port ?? config.preview.port,
      configSection: 'preview',
    });
    io.out(`paperboy preview: ${server.url}/${date ? `${date}/` : ''}`);
    log.info('the preview has no login: keep it on 127.0.0.1 (or reach it through an SSH tunnel); Ctrl-C stops it');
    await (stop ??
      new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      }));
    await server.close();
    return EXIT.ok;
  });
}
