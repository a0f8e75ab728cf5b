/**
 * DATABASE_URL → which store and where: postgres:// and postgresql:// select PostgreSQL; sqlite:
 * URLs (the seed specification's `.env` says `sqlite:///./forecast.db`) select SQLite at their path.
 */
import { BatonError } from '../errors/index.js';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

export const ACCEPTED_DATABASE_URLS =
  'postgres://… or postgresql://… (PostgreSQL); sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:path.db or sqlite::memory: (SQLite)';

/**
 * The SQLAlchemy-style forms: after `sqlite:`, `///` starts a path relative to the working
 * directory and `////` an absolute one; without slashes the rest is the path; `:memory:` is a
 * throwaway database. Only the scheme is ever quoted back: the rest may hold a password.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url };
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    const rest = url.slice(scheme.length + 1);
    const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? undefined : rest;
    if (path === ':memory:' || (path !== undefined && path !== '' && !path.includes('\0'))) return { kind: 'sqlite', path: path.split('?')[0] ?? path };
    throw new BatonError(
      'INVALID_PARAMETERS',
      `DATABASE_URL: a sqlite URL names its file as sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:path.db or sqlite::memory:`,
      {
        details: { setting: 'DATABASE_URL', scheme },
        suggestions: ['e.g. DATABASE_URL=sqlite:///./forecast.db', 'or leave DATABASE_URL unset for SQLite at --db / BATON_SQLITE_PATH'],
      },
    );
  }
  throw new BatonError(
    'INVALID_PARAMETERS',
    `DATABASE_URL: ${scheme === undefined ? 'no scheme' : `unknown scheme "${scheme}:"`}; accepted: ${ACCEPTED_DATABASE_URLS}`,
    {
      details: { setting: 'DATABASE_URL', ...(scheme === undefined ? {} : { scheme }) },
      suggestions: ['or leave DATABASE_URL unset for SQLite at --db / BATON_SQLITE_PATH'],
    },
  );
}
