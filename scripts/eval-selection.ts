// npm run eval:selection -- --feed <file> --date <YYYY-MM-DD> --labels <csv> [--config <file>]
// How well the configured domains select a labelled day: per topic and macro precision, recall of core papers,
// and P@6 / nDCG@6 of what a one-topic reader's mail shows. Reads the config the way the CLI does
// (--config, $PAPERBOY_CONFIG or ./paperboy.config.yaml; the built-in domains without one).
// Example: npm run eval:selection -- --feed test/fixtures/full-days/rss-2025-10-22.xml --date 2025-10-22 \
//   --labels test/fixtures/selection/labels-2025-10-22.csv
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFeed } from '../src/arxiv/parse-feed.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { measureSelection, renderScoreTable } from '../src/evaluate/measure-selection.ts';
import { parseLabels } from '../src/evaluate/parse-labels.ts';

const USAGE = 'usage: npm run eval:selection -- --feed <file> --date <YYYY-MM-DD> --labels <csv> [--config <file>]';

try {
  const { values } = parseArgs({
    options: {
      feed: { type: 'string' },
      date: { type: 'string' },
      labels: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const { feed: feedFile, date, labels: labelsFile } = values;
  if (!feedFile || !date || !labelsFile) throw new Error(USAGE);

  const { config, file } = loadConfig(values.config);
  const feed = await parseFeed(readFileSync(feedFile, 'utf8'), feedFile);
  // The labels belong to one day: scoring them against another day's feed would measure nothing.
  if (feed.batchDate !== date) throw new Error(`${feedFile} is the batch of ${feed.batchDate ?? 'no date'}, not ${date}`);
  const labels = parseLabels(readFileSync(labelsFile, 'utf8'), labelsFile);
  const report = measureSelection(feed.papers, config.domains, labels, date);

  console.log(`Selection on ${date}: ${report.labelled} labelled papers`
    + (report.unlabelled > 0 ? ` (${report.unlabelled} unlabelled papers of the feed left out)` : '')
    + `, domains from ${file ?? 'the built-in defaults'}`);
  const unmeasured = config.domains.filter((domain) => !labels.topics.includes(domain.id)).map((domain) => domain.id);
  if (unmeasured.length > 0) console.log(`No labels for: ${unmeasured.join(', ')}`);
  console.log(renderScoreTable(report));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
