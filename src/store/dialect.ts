// The two databases the store runs on. Its own file, so that schema.ts and the *-schema.ts files it is built from
// can all name it without importing each other in a circle.
export type DialectName = 'sqlite' | 'postgres';
