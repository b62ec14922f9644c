import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { EXIT, PaperboyError } from '../errors.ts';
import { readLock, releaseLock, renewLock, senderLeaseName, tryAcquireLock, type LockHolder } from '../store/run-locks.ts';
import type { Database } from '../store/schema.ts';

// Locks held across processes and machines: a row in `run_locks` (see src/store/run-locks.ts) renewed by a
// heartbeat. The lease itself (take, renew, notice it was lost, release) is written once here, in holdLock and
// tryTakeLock; two kinds of lock use it:
// - the run lock `issue:<date>` (acquireRunLock): one run per issue. A second run waits up to `waitMs` and then
//   gives up with a LockBusyError naming the holder. A holder that died is taken over once its lock expires, or at
//   once when it was a process of this machine that is gone.
// - the scheduler's lock `schedule:<date>` (schedule/run-scheduler.ts): one scheduler fetches a batch (waits for
//   its feed, polls arXiv), tried once, busy being an answer rather than an error; it is only taken over once it
//   expires. A scheduler that finds it busy joins on PostgreSQL (it waits for the batch to be stored, then runs the
//   issue and sends a share under its own sender lease) and stands aside on SQLite.

/** Another run holds the issue's lock. */
export class LockBusyError extends PaperboyError {
  readonly holder: LockHolder | null;
  constructor(message: string, holder: LockHolder | null) {
    super('LOCKED', message, EXIT.failed);
    this.holder = holder;
  }
}

export interface RunLockOptions {
  /** The lock lapses this long after the last heartbeat. */
  ttlMs: number;
  /** How long to wait for a busy lock before giving up; 0: give up at once. */
  waitMs: number;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Whether a process of this machine still exists. */
  isProcessAlive?: (pid: number) => boolean;
  /** Who we are; default `host/pid/nonce`. */
  owner?: string;
  log?: (line: string) => void;
}

export interface HeldLock {
  readonly name: string;
  readonly owner: string;
  /** Why the lock is no longer ours (another run took it over after we stalled), or null while it is. */
  lost(): string | null;
  /** Renews the lock now, besides the heartbeat (after a wait measured on a clock the heartbeat does not follow). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** A lock `owner` now holds: renewed every `heartbeatMs` until released, and marked lost when a renewal finds it gone. */
function holdLock(db: Kysely<Database>, name: string, owner: string, lease: { ttlMs: number; heartbeatMs: number; clock: () => Date }): HeldLock {
  let lostReason: string | null = null;
  let renewing: Promise<void> = Promise.resolve();
  const renew = () => {
    renewing = renewing.then(async () => {
      if (lostReason) return;
      try {
        if (!(await renewLock(db, name, owner, { now: lease.clock(), ttlMs: lease.ttlMs }))) {
          lostReason = `the lock ${name} was taken over by another run: this run stalled for longer than the lock timeout`;
        }
      } catch {
        // A failed renewal is tried again at the next beat; the lock only lapses after the whole timeout.
      }
    });
    return renewing;
  };
  const heartbeat = setInterval(() => void renew(), lease.heartbeatMs);
  heartbeat.unref();
  return {
    name,
    owner,
    lost: () => lostReason,
    renew,
    async release() {
      clearInterval(heartbeat);
      await renewing;
      await releaseLock(db, name, owner);
    },
  };
}

/**
 * One try at the lock `name`: held, or busy with its holder. Without `takeOverDeadHolders` a lock is only taken
 * once it has expired.
 */
export async function tryTakeLock(
  db: Kysely<Database>,
  name: string,
  options: {
    owner: string;
    ttlMs: number;
    heartbeatMs: number;
    clock: () => Date;
    takeOverDeadHolders?: boolean | undefined;
    isProcessAlive?: ((pid: number) => boolean) | undefined;
    log?: ((line: string) => void) | undefined;
  },
): Promise<{ held: HeldLock } | { busy: LockHolder | null }> {
  const holder = options.takeOverDeadHolders ? await readLock(db, name) : null;
  const attempt = await tryAcquireLock(db, name, options.owner, {
    now: options.clock(),
    ttlMs: options.ttlMs,
    deadOwner: options.takeOverDeadHolders ? deadHolder(holder, options.isProcessAlive ?? processAlive) : undefined,
  });
  if (!attempt.acquired) return { busy: attempt.holder };
  if (holder && holder.owner !== options.owner) {
    options.log?.(`took over the lock of ${name} from ${describeHolder(holder)}: that run is gone`);
  }
  return { held: holdLock(db, name, options.owner, options) };
}

/**
 * Which processes a pid of this process can name: 8 hex digits from the kernel's boot id (new at every boot, one
 * per machine, shared by the containers of a host) and this process's pid namespace (one per container). Two hosts
 * that share a hostname (cloned VMs, containers with the host's UTS namespace) differ here, so neither takes the
 * other's pid for one of its own. Empty where Linux's /proc does not say (other systems: the hostname alone).
 */
export const PID_SPACE = (() => {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return createHash('sha256').update(`${boot} ${readlinkSync('/proc/self/ns/pid')}`).digest('hex').slice(0, 8);
  } catch {
    return '';
  }
})();

/** This process as locks and claims name it: `host/pid/nonce/pid-space` (the space left out where unknown). */
export function ownerId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}${PID_SPACE ? `/${PID_SPACE}` : ''}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder, when it is provably dead: a process of this machine that no longer exists. */
function deadHolder(holder: LockHolder | null, isAlive: (pid: number) => boolean): string | undefined {
  return holder && provablyDead(holder.owner, isAlive) ? holder.owner : undefined;
}

/** A process as a lock owner or a file tag names it. */
export interface NamedProcess {
  host: string;
  pid: number;
  /** Its PID_SPACE; absent in names written by earlier versions. */
  space?: string | undefined;
}

/**
 * Whether `process` is provably dead: a process of this host and pid space that no longer exists. A process of
 * another machine (or another container, or this machine before a reboot) is only known dead once its lease
 * lapses. Names written without a pid space (earlier versions) are judged by the hostname alone, as they were.
 */
export function provablyGone({ host, pid, space }: NamedProcess, isAlive: (pid: number) => boolean = processAlive): boolean {
  if (host !== hostname() || (space !== undefined && space !== PID_SPACE)) return false;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !isAlive(pid);
}

/** provablyGone for an owner `host/pid/nonce/pid-space` (ownerId). */
export function provablyDead(owner: string, isAlive?: (pid: number) => boolean): boolean {
  const [host = '', pid, , space] = owner.split('/');
  return provablyGone({ host, pid: Number(pid), space }, isAlive);
}

/**
 * The lease of one sender of an issue that several senders share (PostgreSQL): a `run_locks` row of its own,
 * `sender:<date>:<owner>`, renewed like the run lock. While it is alive, the rows the sender claimed (claimed_by)
 * are its own; once it lapses (or the process is provably gone), another sender turns them `unknown` and carries
 * on, by the same rules as a run after a crash. The name is unique to the sender, so taking it never waits.
 */
/** How often a lease is renewed: a third of its lifetime, so two renewals may fail before it lapses. */
export function heartbeatOf(ttlMs: number): number {
  return Math.max(20, Math.floor(ttlMs / 3));
}

/** How often a waiter looks at a lease another process holds: a quarter of its lifetime, 50 ms to 1 s. */
export function lockPollOf(ttlMs: number): number {
  return Math.max(50, Math.min(1000, ttlMs / 4));
}

export async function holdSenderLease(
  db: Kysely<Database>,
  batchDate: string,
  options: { owner: string; ttlMs: number; clock: () => Date },
): Promise<HeldLock> {
  const attempt = await tryTakeLock(db, senderLeaseName(batchDate, options.owner), {
    owner: options.owner,
    ttlMs: options.ttlMs,
    heartbeatMs: heartbeatOf(options.ttlMs),
    clock: options.clock,
  });
  if ('busy' in attempt) throw new LockBusyError(`the sender lease of ${options.owner} is held by someone else`, attempt.busy);
  return attempt.held;
}

export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another run';
  const [host, pid] = holder.owner.split('/');
  return `the run of process ${pid} on ${host} (since ${holder.acquiredAt}, last heartbeat ${holder.heartbeatAt})`;
}

export async function acquireRunLock(db: Kysely<Database>, name: string, options: RunLockOptions): Promise<HeldLock> {
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const owner = options.owner ?? ownerId();
  const started = clock().getTime();
  const poll = lockPollOf(options.ttlMs);
  let announced = false;

  for (;;) {
    const attempt = await tryTakeLock(db, name, {
      owner,
      ttlMs: options.ttlMs,
      heartbeatMs: heartbeatOf(options.ttlMs),
      clock,
      takeOverDeadHolders: true,
      isProcessAlive: options.isProcessAlive,
      log: options.log,
    });
    if ('held' in attempt) return attempt.held;
    const waited = clock().getTime() - started;
    if (waited >= options.waitMs) {
      const expires = attempt.busy ? `; it lapses at ${attempt.busy.expiresAt} unless renewed` : '';
      throw new LockBusyError(
        `${describeHolder(attempt.busy)} is already sending this issue (lock ${name}${expires}). ` +
          'Nothing was sent by this run; try again later, or pass --wait <seconds> to wait for it.',
        attempt.busy,
      );
    }
    if (!announced) {
      options.log?.(`waiting up to ${Math.round(options.waitMs / 1000)} s for ${describeHolder(attempt.busy)} to finish…`);
      announced = true;
    }
    await sleep(Math.min(poll, options.waitMs - waited));
  }
}
