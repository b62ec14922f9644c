import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/run-report.ts';
import { listDeliveries } from '../../src/store/deliveries.ts';
import { FAST_LANE } from '../support/lanes.ts';
import { PG_URL } from '../support/test-databases.ts';
import { DRILL_DATE, drillWorkspace, type DrillWorkspace } from './crash-drill.ts';
import {
  createHostNetwork,
  hostNetworkUnavailable,
  runOnHost,
  startLanSmtpSink,
  startTcpRelay,
  type HostNetwork,
  type HostProcess,
  type LanSmtpSink,
  type TcpRelay,
} from './host-network.ts';

// Hosts, not just processes (issue 13, item 5): two `paperboy run` workers on two "hosts" — network namespaces
// with addresses of their own, their own hostname, both pid 1 — send one issue through one PostgreSQL database
// and one SMTP sink, both reachable on the LAN address only (this machine's 127.0.0.1 is out of the hosts'
// reach). The workers share nothing local: each has its own directory and config file; only DATABASE_URL and
// PAPERBOY_SECRET are the same. So nothing may assume one host: locks are keyed by hostname + pid (both workers
// are pid 1), and no file is shared.
//
// Needs root, `ip` and `unshare` (CI runs as root) and PostgreSQL (TEST_DATABASE_URL); skipped otherwise, saying why.

const READERS = 400;
const SECRET = 'two-hosts-secret-0123456789abcdef0123456789ab';
const BIN = resolve(import.meta.dirname, '../../bin/paperboy.js');

const skipReason = FAST_LANE
  ? 'test:fast leaves PostgreSQL out'
  : !PG_URL
    ? 'needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)'
    : hostNetworkUnavailable();
if (skipReason) process.stderr.write(`two workers on two hosts: SKIPPED, ${skipReason}\n`);

describe.skipIf(skipReason !== null)('two workers on two hosts (network namespaces) share one issue on PostgreSQL', () => {
  let network: HostNetwork | undefined;
  let relay: TcpRelay | undefined;
  let sink: LanSmtpSink | undefined;
  let workspace: DrillWorkspace | undefined;
  const workerDirs: string[] = [];
  const kills: Array<() => void> = [];
  let runs: HostProcess[] = [];

  beforeAll(async () => {
    workspace = await drillWorkspace('postgres', READERS, {});
    network = createHostNetwork(2);
    const pg = new URL(workspace.databaseUrl);
    relay = await startTcpRelay(network.lanAddress, { host: pg.hostname, port: Number(pg.port || 5432) });
    // Slow enough (2 connections, 10 ms a mail: ~2 s alone) that a second worker starting a moment later finds
    // work left, once workers share an issue.
    sink = await startLanSmtpSink(network.lanAddress, 10);
    const lanDatabaseUrl = new URL(workspace.databaseUrl);
    lanDatabaseUrl.hostname = network.lanAddress;
    lanDatabaseUrl.port = String(relay.port);

    runs = await Promise.all(
      network.hosts.map((host) => {
        const dir = mkdtempSync(join(tmpdir(), `paperboy-${host.hostname}-`));
        workerDirs.push(dir);
        writeFileSync(
          join(dir, 'paperboy.yaml'),
          JSON.stringify({
            newsletter: { from: 'Lab arXiv digest <digest@example.org>', publicBaseUrl: 'https://digest.example.org' },
            delivery: { transport: 'smtp', outboxDir: join(dir, 'outbox'), batchSize: 20, workers: 2, smtp: { maxConnections: 2 } },
          }),
        );
        return runOnHost(
          host,
          [process.execPath, BIN, '--config', join(dir, 'paperboy.yaml'), 'run', '--date', DRILL_DATE, '--json', '--wait', '120'],
          {
            cwd: dir,
            env: {
              HOME: dir,
              DATABASE_URL: lanDatabaseUrl.toString(),
              SMTP_URL: `smtp://${network!.lanAddress}:${sink!.port}`,
              PAPERBOY_SECRET: SECRET,
            },
            started: (kill) => kills.push(kill),
          },
        );
      }),
    );
  }, 180_000);

  afterAll(async () => {
    for (const kill of kills) kill();
    await sink?.close();
    await relay?.close();
    network?.remove();
    await workspace?.cleanup();
    for (const dir of workerDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("cannot reach this machine's PostgreSQL on 127.0.0.1 from a host", async () => {
    const probe = await runOnHost(
      network!.hosts[0]!,
      [process.execPath, '-e', "require('net').connect(5432, '127.0.0.1').on('connect', () => process.exit(0)).on('error', (e) => { console.log(e.code); process.exit(3); })"],
      { cwd: workerDirs[0]!, env: {} },
    );
    expect(probe.exitCode, probe.stdout + probe.stderr).toBe(3);
  });

  it('both workers end well, each on its own host', () => {
    for (const run of runs) expect(run.exitCode, run.stderr.split('\n').slice(-5).join('\n')).toBe(0);
    // Both reached PostgreSQL through the LAN, each from its own address.
    expect([...relay!.clients].sort()).toEqual(network!.hosts.map((h) => h.address).sort());
  });

  it('every reader gets exactly one mail, none lost, and each worker reports what it sent', async () => {
    const copies = new Map<string, number>();
    for (const mail of sink!.received) for (const to of mail.to) copies.set(to, (copies.get(to) ?? 0) + 1);
    expect(copies.size).toBe(READERS);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);

    const db = await workspace!.open();
    try {
      const rows = await listDeliveries(db, DRILL_DATE);
      expect(rows).toHaveLength(READERS);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      for (const row of rows) expect(copies.get(row.email), row.email).toBe(1);

      // Each run's stored report names its host by hostname + pid: two hosts, and pid 1 on both.
      const stored = await db.selectFrom('runs').select(['host']).execute();
      expect(stored.map((r) => r.host).sort()).toEqual(network!.hosts.map((h) => `${h.hostname}/1`).sort());
    } finally {
      await db.destroy();
    }

    // What each worker's report says it sent is what the sink got from that worker's address.
    const reports = runs.map((run) => JSON.parse(run.stdout) as RunReport);
    network!.hosts.forEach((host, i) => {
      const fromHost = sink!.received.filter((mail) => mail.from === host.address).length;
      expect(reports[i]!.transports[0]?.sent ?? 0, host.hostname).toBe(fromHost);
    });
    expect(reports.reduce((n, r) => n + (r.transports[0]?.sent ?? 0), 0)).toBe(READERS);
  });

  it('both workers take part in sending', () => {
    for (const host of network!.hosts) {
      expect(sink!.received.filter((mail) => mail.from === host.address).length, host.hostname).toBeGreaterThan(0);
    }
  });

  it('the workers leave nothing in each other’s directories: each has only its own config (and outbox)', () => {
    for (const dir of workerDirs) expect(readdirSync(dir).filter((name) => name !== 'outbox').sort()).toEqual(['paperboy.yaml']);
  });
});
