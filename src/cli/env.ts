/**
 * Settings from a `.env` file in the working directory, read before anything looks at
 * process.env. Node's own loader reads it (variables already in the environment win); a line
 * that is not `NAME=value` is refused here, since Node's parser would silently misread it.
 */
import { readFileSync } from 'node:fs';
import { BatonError } from '../errors/index.js';

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;

/** The first line that is neither blank, a comment, nor an assignment (a quoted value may span lines). */
export function malformedLine(text: string): { line: number; content: string } | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) return { line: i + 1, content: line };
    const value = match[1]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) {
      // A quoted value left open continues until a line that closes it.
      const start = i;
      while (++i < lines.length && !lines[i]!.includes(quote));
      if (i >= lines.length) return { line: start + 1, content: line };
    }
  }
  return undefined;
}

/** Loads `path` when it exists; returns whether it did. Throws BAD_REQUEST naming the line of a malformed file. */
export function loadDotEnv(path = '.env'): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new BatonError('BAD_REQUEST', `cannot read ${path}: ${(error as Error).message}`, { details: { file: path } });
  }
  const bad = malformedLine(text);
  if (bad) {
    throw new BatonError('BAD_REQUEST', `${path} line ${bad.line} is not NAME=value: ${bad.content.slice(0, 60)}`, {
      details: { file: path, line: bad.line },
      suggestions: ['each line is NAME=value, a # comment or blank (see .env.example)'],
    });
  }
  process.loadEnvFile(path);
  return true;
}
