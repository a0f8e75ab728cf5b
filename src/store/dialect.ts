/** What SQLite and PostgreSQL each do their own way, answered by an adapter the shared Kysely store and retention call. */
import type { CompiledQuery, QueryResult, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect, EventNotice, ListenOptions, MigrationTarget } from './types.js';
import type { Work } from './unit-of-work.js';

export type ClaimCandidates = SelectQueryBuilder<Database, 'runs', { id: string }>;

/** The few things each database does its own way. */
export interface DialectAdapter {
  readonly dialect: Dialect;
  readonly durability: string;
  readonly migrationTarget: MigrationTarget;
  /** Lets concurrent claimers skip each other's rows where the database can (FOR UPDATE SKIP LOCKED). */
  lockClaimCandidates(query: ClaimCandidates): ClaimCandidates;
  /** Runs one statement on its own (SQLite: synchronously, so it never lands inside a transaction). */
  execute<Row>(query: CompiledQuery<Row>): Promise<QueryResult<Row>>;
  /** Runs a unit of work as one transaction. */
  transact<T>(work: () => Work<T>): Promise<T>;
  /** Tells other processes, after the commit, that a run's log grew (where the database can). */
  announce(notice: EventNotice): void;
  listen(onNotice: (notice: EventNotice) => void, onResync?: () => void, options?: ListenOptions): Promise<() => Promise<void>>;
  isUniqueViolation(error: unknown): boolean;
  closeExtras(): Promise<void>;
}
