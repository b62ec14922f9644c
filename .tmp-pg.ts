import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from './src/store/database.ts';
import { chunkRows } from './src/store/chunk-rows.ts';
import { prepareIssue } from './src/deliver/prepare-issue.ts';
import { pendingDeliveries } from './src/store/deliveries.ts';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }); await admin.connect();
await admin.query('drop database if exists pbexplain with (force)'); await admin.query('create database pbexplain'); await admin.end();
const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/pbexplain' });
const at = new Date().toISOString();
const N = 100000;
const combos = [['llm'], ['agents'], ['vision'], ['llm', 'agents']];
for (const chunk of chunkRows(Array.from({ length: N }, (_, i) => i + 1), 500)) {
  await db.insertInto('subscribers').values(chunk.map((id) => ({ id, email: `r${id}@x.org`, name: null, language: 'en' as const, status: 'active' as const, source: 'b', created_at: at, updated_at: at, status_changed_at: at }))).execute();
  await db.insertInto('subscriber_topics').values(chunk.flatMap((id) => combos[id % 4]!.map((domain_id) => ({ subscriber_id: id, domain_id })))).execute();
}
let t = performance.now();
await prepareIssue(db, '2025-11-14', ['llm', 'agents', 'vision'], new Date());
console.log('prepare ms', Math.round(performance.now() - t));
const q = db.selectFrom('deliveries').select(['subscriber_id']).where('batch_date', '=', '2025-11-14').where('segment_id', '=', 'en.llm').where('subscriber_id', '>', 50000)
  .where((eb) => eb.or([eb('status', 'in', ['planned']), eb.and([eb('status', '=', 'failed'), eb('failure_kind', '=', 'transient')])])).orderBy('subscriber_id').limit(100);
const c = q.compile();
const explain = await sql.raw(`explain analyze ${c.sql.replace(/\$(\d+)/g, (_, i) => { const v = c.parameters[Number(i) - 1]; return typeof v === 'number' ? String(v) : `'${v}'`; })}`).execute(db);
console.log((explain.rows as any[]).map((r) => r['QUERY PLAN']).join('\n'));
t = performance.now();
for (let i = 0; i < 50; i++) await pendingDeliveries(db, '2025-11-14', { segmentId: 'en.llm', statuses: ['planned', 'failed'], after: i * 100, limit: 100 });
console.log('pending page ms', ((performance.now() - t) / 50).toFixed(2));
await db.destroy();
