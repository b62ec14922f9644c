import { Command, CommanderError, Option } from 'commander';
import { EXIT, PaperboyError, type ExitCode } from '../errors.ts';
import { escapeForTerminal } from '../hidden-characters.ts';
import { packageVersion } from '../package-info.ts';
import type { CliIO, GlobalOptions } from './context.ts';
import { createTerminalOutput } from './terminal-output.ts';

// The one boundary where errors become messages and exit codes (0 done or no issue, 1 failed, 2 bad usage or
// config, 3 sent with some failures). Commands load lazily so `paperboy domains` does not pay for MJML or SQLite.

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(io: CliIO, setExit: (code: ExitCode) => void): Command {
  const program = new Command('paperboy')
    .description('A daily bilingual (English + 中文) newsletter of new arXiv papers, per topic and language.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default: ./paperboy.config.yaml, or $PAPERBOY_CONFIG)')
    .option('--db <file>', 'SQLite database file (default: database.file in the config; $DATABASE_URL wins)')
    .addOption(new Option('-q, --quiet', 'log warnings and errors only (default level: $LOG_LEVEL, else info)').conflicts('verbose'))
    .option('--verbose', 'log debug records too')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // Commander's errors quote what was typed (`unknown option '…'`): shown escaped, like every echoed value.
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(escapeForTerminal(s.trimEnd(), { keepLineBreaks: true })) });

  const globals = (command: Command): GlobalOptions => command.optsWithGlobals();

  program
    .command('run')
    .description('collect the batch, select, render once per segment and deliver to every reader')
    .option('--date <YYYY-MM-DD>', 'the batch (arXiv feed date) to build; default: the batch expected now')
    .option('--feed <file|url>', 'a feed to read instead of the stored batch or arXiv (repeatable)', collect)
    .option('--outbox <dir>', 'where the outbox transport writes .eml files (default: delivery.outboxDir)')
    .option('--dry-run', 'render and write previews, send and record nothing')
    .addOption(
      new Option('--transport <name>', 'how mails leave: outbox (.eml files), smtp ($SMTP_URL), resend ($RESEND_API_KEY); default: delivery.transport').choices([
        'outbox',
        'smtp',
        'resend',
      ]),
    )
    .option('--resend-unknown', 'send again the mails an interrupted run may or may not have sent (a reader may get two copies)')
    .option('--wait <seconds>', 'wait this long for another run of the same issue to finish (default: delivery.lock.waitSeconds)')
    .option('--retranslate', 'translate the selected papers again even when this model and prompt already did')
    .option('--force', 'send even when the batch went up longer ago than schedule.lateCutoffHours')
    .option('--json', 'print the run report as JSON')
    .action(async (_options, command: Command) => {
      const { runCommand } = await import('./commands/run.ts');
      setExit(await runCommand(globals(command), io));
    });

  program
    .command('schedule')
    .description('send each day\'s issue by itself: a cron tick (schedule.cron in schedule.timezone), waiting for a late feed')
    .option('--once', 'one tick now (wait for the due batch, send it) and exit with its exit code: for cron, systemd timers, CI')
    .option('--outbox <dir>', 'where the outbox transport writes .eml files (default: delivery.outboxDir)')
    .addOption(new Option('--transport <name>', 'how mails leave (default: delivery.transport)').choices(['outbox', 'smtp', 'resend']))
    .option('--json', 'print each tick\'s run report as one JSON line')
    .action(async (_options, command: Command) => {
      const { scheduleCommand } = await import('./commands/schedule.ts');
      setExit(await scheduleCommand(globals(command), io));
    });

  program
    .command('preview')
    .description('look at every segment\'s mail of a batch before it goes out: phone and desktop width, size, links, Chinese')
    .option('--date <YYYY-MM-DD>', 'open this batch (default: the list of stored batches)')
    .option('--port <port>', 'port to listen on (default: preview.port; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (default: preview.host)')
    .option('--out <dir>', 'write the pages as static files into <dir> instead of serving them')
    .action(async (_options, command: Command) => {
      const { previewCommand } = await import('./commands/preview.ts');
      setExit(await previewCommand(globals(command), io));
    });

  program
    .command('runs')
    .description('list past runs and scheduler ticks: status, batch, mails, duration, message')
    .option('--limit <n>', 'how many (default 20)')
    .option('--date <YYYY-MM-DD>', 'only runs of this batch')
    .option('--json', 'print the runs with their full reports as JSON')
    .action(async (_options, command: Command) => {
      const { runsCommand } = await import('./commands/runs.ts');
      setExit(await runsCommand(globals(command), io));
    });

  const subscribers = program.command('subscribers').description('manage the subscriber list');
  subscribers
    .command('import <csv>')
    .description('import readers from a CSV file (email,name,topics,language); re-importing changes nothing')
    .action(async (file: string, _options, command: Command) => {
      const { importSubscribersCommand } = await import('./commands/subscribers.ts');
      setExit(await importSubscribersCommand(file, globals(command), io));
    });
  subscribers
    .command('list')
    .description('list subscribers with their topics and language')
    .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'active', 'unsubscribed', 'bounced', 'complained']))
    .option('--json', 'print JSON')
    .action(async (_options, command: Command) => {
      const { listSubscribersCommand } = await import('./commands/subscribers.ts');
      setExit(await listSubscribersCommand(globals(command), io));
    });

  program
    .command('translations')
    .description('manage stored Chinese translations')
    .command('import <file>')
    .description('import recorded translator replies ({ "<arxiv id>": { "title_zh_raw", "abstract_zh" } }); notes are cleaned off')
    .action(async (file: string, _options, command: Command) => {
      const { importTranslationsCommand } = await import('./commands/translations.ts');
      setExit(await importTranslationsCommand(file, globals(command), io));
    });

  program
    .command('serve')
    .description('run the web pages: subscribe, confirm, preferences, unsubscribe, the issue archive, the Resend webhook')
    .option('--port <port>', 'port to listen on (default: web.port; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (default: web.host)')
    .option('--outbox <dir>', 'where the outbox transport writes the confirmation mails (default: delivery.outboxDir)')
    .action(async (_options, command: Command) => {
      const { serveCommand } = await import('./commands/serve.ts');
      setExit(await serveCommand(globals(command), io));
    });

  program
    .command('domains')
    .description('list the configured topics')
    .option('--json', 'print [{ id, name: { en, zh }, … }]')
    .action(async (_options, command: Command) => {
      const { domainsCommand } = await import('./commands/domains.ts');
      setExit(domainsCommand(globals(command), io));
    });

  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: string[], io: CliIO): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; everything else is bad usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof PaperboyError) {
      // Messages quote values from files, options and the environment; none may drive the terminal.
      io.err(`paperboy: ${escapeForTerminal(error.message, { keepLineBreaks: true })}`);
      return error.exitCode;
    }
    io.err(`paperboy: unexpected error (please report it):\n${(error as Error)?.stack ?? String(error)}`);
    return EXIT.failed;
  }
}

export function processIO(): CliIO {
  // `paperboy runs | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  const isTTY = Boolean(process.stderr.isTTY);
  const { out, err, status } = createTerminalOutput({ stdout: process.stdout, stderr: process.stderr });
  return { out, err, env: process.env, now: () => new Date(), isTTY, status: isTTY ? status : undefined };
}
