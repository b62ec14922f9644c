// preview/: `paperboy preview`. Takes the database, the config and a compatibility baseline; builds every segment's
// mail of a stored batch on the same path as a run (select → plan segments → stored Chinese → render, or the mail a
// run kept) and returns it as a PreviewIssue, served or written as pages. Reads only: nothing is frozen, translated,
// stored or sent. Must not import: cli/, schedule/, web/ (but its server), run-issue.ts, nor a stage's internals.
export { buildPreview, GMAIL_CLIP_BYTES, type PreviewIssue, type PreviewSegment } from './build-preview.ts';
export { baselineFileOf, readBaseline, type CompatBaseline } from './check-compatibility.ts';
export { createPreviewApp, writePreviewSite, type PreviewDeps } from './preview-site.ts';
