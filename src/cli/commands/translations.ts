import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type ExitCode } from '../../errors.ts';
import { escapeForTerminal } from '../../hidden-characters.ts';
import { importTranslations } from '../../translate/index.ts';
import { type CliIO, type GlobalOptions, withContext } from '../context.ts';

export async function importTranslationsCommand(file: string, options: GlobalOptions, io: CliIO): Promise<ExitCode> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return withContext(options, io, async ({ db, config }) => {
    const report = await importTranslations(db, file, data, io.now(), { glossary: config.translation.glossary });
    // Ids are the file's own keys: shown escaped, like the file name.
    for (const r of report.rejected) io.err(escapeForTerminal(`${file}: ${r.paperId}: ${r.reason}`));
    for (const d of report.dropped) io.err(escapeForTerminal(`${file}: ${d.paperId}: ${d.item} dropped (${d.reason})`));
    const summaries = report.summaries > 0 || report.dropped.length > 0 ? `, ${report.summaries} TL;DR/points, ${report.analyses} analyses` : '';
    const dropped = report.dropped.length > 0 ? `; ${report.dropped.length} summary items dropped` : '';
    io.out(
      `imported ${report.imported} translations from ${escapeForTerminal(file)} (${report.titles} titles, ${report.abstracts} abstracts${summaries}); ` +
        `translator notes removed from ${report.cleaned.length}; ${report.rejected.length} rejected${dropped}`,
    );
    return report.rejected.length > 0 ? EXIT.partial : EXIT.ok;
  });
}
