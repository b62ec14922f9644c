// deliver/: the write step of a run. Takes an issue's frozen audience, each segment's issue, the delivery settings
// (narrowed from the config by src/run-wiring.ts) and a transport; freezes the audience into the ledger, renders
// (or reloads) each segment's mail once, sends every reader their copy, and returns what it did (IssueDelivery,
// SendResult). It does not build the run report, write preview files or read the config.
// Must not import: cli/, run-issue.ts, run-wiring.ts, run-report.ts, preview/, schedule/, web/, config/.
export { domainOfAddress, type OutgoingMail } from './compose-mail.ts';
export { composeRaw } from './mime-template.ts';
export { createOutboxTransport, type OutboxTransport } from './outbox-transport.ts';
export { bareAddress, TRANSPORTS, transportFactory, type TransportName, type TransportSettings } from './create-transport.ts';
export { deliverIssue, type DeliverIssueContext, type DeliverySettings, type IssueDelivery } from './deliver-issue.ts';
export type { SegmentFacts, SegmentMail } from './deliver-segment.ts';
export { prepareIssue } from './prepare-issue.ts';
export { acquireRunLock, holdSenderLease, lockPollOf, LockBusyError, ownerId, tryTakeLock, type HeldLock } from './run-lock.ts';
export type { SendPolicy, SendProgress, SendResult } from './send-issue.ts';
export { createSendProgress } from './send-progress.ts';
export type { MailJob, MailTransport, SendOutcome } from './transport.ts';
