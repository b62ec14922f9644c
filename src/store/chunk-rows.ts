// SQLite allows 32 766 bound parameters per statement and PostgreSQL 65 535; multi-row inserts and IN lists are
// cut into chunks well below both so a 100 000-reader list never hits either limit.
export const CHUNK_SIZE = 500;

export function chunkRows<T>(rows: readonly T[], size = CHUNK_SIZE): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
