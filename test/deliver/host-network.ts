import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// Hosts, not just processes: network namespaces (`ip netns`) that stand for separate machines. A bridge in this
// (the root) namespace holds the "LAN" address 10.77.<n>.1; each host is a namespace joined to it by a veth pair,
// with its own address (10.77.<n>.2, .3, …) and nothing else: its loopback is its own, so this machine's
// 127.0.0.1 services (PostgreSQL) are out of its reach. What the hosts may use is offered on the LAN address only:
// a TCP relay to PostgreSQL and an SMTP sink. Each process started on a host also gets a UTS namespace (its own
// hostname) and a PID namespace (it is pid 1 there, like the first program of every host), so two hosts' processes
// have different hostnames and the same pid.
// Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2's `ip` and util-linux's `unshare`.

/** Why these namespaces cannot be made here, or null when they can (probed by making and deleting one). */
export function hostNetworkUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'making network namespaces needs root (ip netns add): run as root, as CI does';
  for (const tool of ['ip', 'unshare']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `\`${tool}\` is not installed (iproute2 / util-linux)`;
  }
  const probe = `paperboy-probe-${randomBytes(3).toString('hex')}`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (made.status !== 0) return `\`ip netns add\` failed here: ${(made.stderr || made.error?.message || '').trim()}`;
  const isolated = spawnSync('ip', ['netns', 'exec', probe, 'unshare', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', 'true'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  if (isolated.status !== 0) return `\`unshare --uts --pid --mount-proc\` failed in a network namespace: ${(isolated.stderr || isolated.error?.message || '').trim()}`;
  return null;
}

function ip(...args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${run.stderr.trim()}`);
}

export interface Host {
  /** The network namespace's name. */
  namespace: string;
  /** The host's own address on the LAN. */
  address: string;
  hostname: string;
}

export interface HostNetwork {
  /** This machine's address on the LAN: the only address the hosts can reach it on. */
  lanAddress: string;
  hosts: Host[];
  /** Deletes the namespaces, their veth pairs and the bridge; safe to call after a partial set-up, and twice. */
  remove(): void;
}

/** Makes `count` hosts on a fresh LAN. On failure, whatever was made is removed before the error is thrown. */
export function createHostNetwork(count: number): HostNetwork {
  const tag = randomBytes(2).toString('hex');
  // A /24 of its own, so two test runs at once do not share a LAN (a clash is one in 250).
  const subnet = `10.77.${2 + Math.floor(Math.random() * 250)}`;
  const bridge = `pbbr${tag}`;
  const hosts: Host[] = Array.from({ length: count }, (_, i) => ({
    namespace: `paperboy-${tag}-${i + 1}`,
    address: `${subnet}.${i + 2}`,
    hostname: `paperboy-host-${String.fromCharCode(97 + i)}`,
  }));
  const remove = () => {
    // Deleting a namespace deletes its end of the veth pair, and with it the other end.
    for (const host of hosts) spawnSync('ip', ['netns', 'del', host.namespace], { stdio: 'ignore' });
    hosts.forEach((_, i) => spawnSync('ip', ['link', 'del', `pbv${tag}${i + 1}`], { stdio: 'ignore' }));
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    hosts.forEach((host, i) => {
      const outside = `pbv${tag}${i + 1}`;
      ip('netns', 'add', host.namespace);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.namespace);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      ip('-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
      ip('-n', host.namespace, 'link', 'set', 'eth0', 'up');
      ip('-n', host.namespace, 'link', 'set', 'lo', 'up');
    });
  } catch (error) {
    remove();
    throw error;
  }
  return { lanAddress: `${subnet}.1`, hosts, remove };
}

export interface HostProcess {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` on `host`: in its network namespace, with its hostname, as pid 1 of a PID namespace of its own,
 * in `cwd`, with exactly `env` (nothing of this process's environment but PATH). `started` gets the outer pid.
 */
export function runOnHost(
  host: Host,
  command: string[],
  options: { cwd: string; env: Record<string, string>; started?: (kill: () => void) => void },
): Promise<HostProcess> {
  const child = spawn(
    'ip',
    [
      'netns', 'exec', host.namespace,
      // --kill-child: killing the outer process (a test that timed out) takes the program on the host with it.
      'unshare', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', '--',
      'sh', '-c', 'hostname "$0" && exec "$@"', host.hostname,
      ...command,
    ],
    { cwd: options.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  options.started?.(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.on('exit', (exitCode, signal) => setImmediate(() => resolve({ exitCode, signal, stdout, stderr })));
  });
}

export interface TcpRelay {
  port: number;
  /** The addresses that connected through the relay. */
  clients: Set<string>;
  close(): Promise<void>;
}

/** Relays connections to `address:port` (this machine's, e.g. PostgreSQL on 127.0.0.1) from `host:0` only. */
export async function startTcpRelay(host: string, target: { host: string; port: number }): Promise<TcpRelay> {
  const clients = new Set<string>();
  const open = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    clients.add(inbound.remoteAddress ?? '?');
    const outbound = connect(target.port, target.host);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface LanMail {
  to: string[];
  /** The address of the host that sent it. */
  from: string;
}

export interface LanSmtpSink {
  port: number;
  received: LanMail[];
  close(): Promise<void>;
}

/** An SMTP server on `host` only that keeps the recipients of every mail and the address that sent it. */
export async function startLanSmtpSink(host: string, delayMs = 0): Promise<LanSmtpSink> {
  const received: LanMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        const accept = () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), from: session.remoteAddress });
          callback();
        };
        if (delayMs) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
