// schedule/: `paperboy schedule`. Takes the config, a clock, a sleep and the run's wiring (SchedulerDeps); at every
// cron tick decides which batch is due (plan-tick.ts, pure), waits for its feed (probe-batch.ts), runs the issue
// (run-issue.ts) and stores each tick's report. Returns nothing but the reports it stores and hands to onReport.
// Must not import: cli/, preview/, web/, nor a stage's files other than its face.
export { nextTick, realSleep, runScheduler, runTick, type SchedulerDeps } from './run-scheduler.ts';
