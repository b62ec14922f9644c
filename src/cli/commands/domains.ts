import { loadConfig } from '../../config/load-config.ts';
import { EXIT, type ExitCode } from '../../errors.ts';
import type { CliIO, GlobalOptions } from '../context.ts';

export function domainsCommand(options: GlobalOptions & { json?: boolean }, io: CliIO): ExitCode {
  const { config } = loadConfig(options.config, io.env);
  if (options.json) {
    io.out(JSON.stringify(config.domains.map((d) => ({ id: d.id, name: d.name, description: d.description, categories: d.categories, cap: d.cap })), null, 2));
    return EXIT.ok;
  }
  const width = Math.max(...config.domains.map((d) => d.id.length));
  for (const d of config.domains) {
    io.out(`${d.id.padEnd(width)}  ${d.name.en} · ${d.name.zh}  [${d.categories.join(' ') || 'any category'}] cap ${d.cap}`);
    io.out(`${' '.repeat(width)}  ${d.description.en}`);
  }
  return EXIT.ok;
}
