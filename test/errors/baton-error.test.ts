// Covers BatonError and its subclasses: wire shape, HTTP status per code and the constructors' messages.
import { describe, expect, it } from 'vitest';
import {
  AgentError,
  AgentTimeoutError,
  BatonError,
  ConflictError,
  ERROR_CODES,
  InvalidParametersError,
  InvalidTransitionError,
  NotFoundError,
  StaleRunError,
  type ErrorCode,
} from '../../src/errors/index.js';

describe('BatonError', () => {
  it('serialises to { error_type, message, details, suggestions } and nothing else', () => {
    const error = new BatonError('CONFLICT', 'already running', { details: { run_id: 'r1' }, suggestions: ['wait'], retryable: true });
    expect(error.toJSON()).toEqual({ error_type: 'CONFLICT', message: 'already running', details: { run_id: 'r1' }, suggestions: ['wait'] });
    expect(Object.keys(error.toJSON())).toEqual(['error_type', 'message', 'details', 'suggestions']);
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });

  it('defaults to empty details, no suggestions, not retryable and no cause', () => {
    const error = new BatonError('INTERNAL_ERROR', 'oops');
    expect(error.details).toEqual({});
    expect(error.suggestions).toEqual([]);
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('keeps the cause and is an Error named after its class', () => {
    const cause = new Error('root');
    const error = new BatonError('INTERNAL_ERROR', 'wrapped', { cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BatonError');
    expect(new NotFoundError('run', 'x').name).toBe('NotFoundError');
  });

  it.each<[ErrorCode, number]>([
    ['INVALID_PARAMETERS', 422],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['INVALID_TRANSITION', 409],
    ['UNAUTHORIZED', 401],
    ['UPSTREAM_UNAVAILABLE', 503],
    ['PARAMETER_EXTRACTION_ERROR', 400],
    ['FORBIDDEN', 403],
    ['AGENT_TIMEOUT', 504],
    ['DEADLINE_EXCEEDED', 504],
    ['AGENT_EXECUTION_ERROR', 500],
    ['INTERNAL_ERROR', 500],
  ])('maps %s to HTTP %i', (code, status) => {
    expect(new BatonError(code, 'x').httpStatus).toBe(status);
    expect(ERROR_CODES[code]).toBe(status);
  });
});

describe('BatonError subclasses', () => {
  it('builds NotFoundError from what is missing and its id', () => {
    const error = new NotFoundError('run', 'r-7', ['list runs']);
    expect(error.toJSON()).toEqual({ error_type: 'NOT_FOUND', message: 'run "r-7" does not exist', details: { run: 'r-7' }, suggestions: ['list runs'] });
  });

  it('builds ConflictError with CONFLICT and HTTP 409', () => {
    const error = new ConflictError('busy', { run_id: 'r' }, ['retry later']);
    expect([error.code, error.httpStatus, error.message]).toEqual(['CONFLICT', 409, 'busy']);
    expect(error.details).toEqual({ run_id: 'r' });
    expect(error.suggestions).toEqual(['retry later']);
  });

  it('builds InvalidTransitionError naming the allowed targets, or saying nothing follows', () => {
    const error = new InvalidTransitionError('a', 'c', ['b']);
    expect(error.toJSON()).toEqual({
      error_type: 'INVALID_TRANSITION',
      message: 'transition from "a" to "c" is not allowed',
      details: { from: 'a', to: 'c', allowed: ['b'] },
      suggestions: ['allowed from "a": b'],
    });
    expect(new InvalidTransitionError('end', 'x', []).suggestions).toEqual(['nothing follows "end"']);
  });

  it('copies the allowed list so later changes to it do not leak into the error', () => {
    const allowed = ['b'];
    const error = new InvalidTransitionError('a', 'c', allowed);
    allowed.push('z');
    expect(error.details.allowed).toEqual(['b']);
  });

  it('builds AgentTimeoutError as a retryable AGENT_TIMEOUT', () => {
    const error = new AgentTimeoutError('planner', 1_500);
    expect(error.code).toBe('AGENT_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('agent "planner" did not finish within 1500 ms');
    expect(error.details).toEqual({ agent: 'planner', timeout_ms: 1_500 });
  });

  it('makes AgentError retryable unless told otherwise', () => {
    expect(new AgentError('x').retryable).toBe(true);
    expect(new AgentError('x', { retryable: false }).retryable).toBe(false);
    expect(new AgentError('x').code).toBe('AGENT_EXECUTION_ERROR');
  });

  it('builds StaleRunError as a CONFLICT naming the run and the expected version', () => {
    const error = new StaleRunError('r-1', 4, 'lease lost');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('run "r-1" changed while this write was prepared: lease lost');
    expect(error.details).toEqual({ run_id: 'r-1', expected_version: 4 });
  });
});

describe('InvalidParametersError', () => {
  it('lists each field issue in the message, details and suggestions', () => {
    const error = new InvalidParametersError('invalid parameters', [
      { path: 'season', message: 'Required' },
      { path: 'stores.0.id', message: 'Expected string' },
    ]);
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.httpStatus).toBe(422);
    expect(error.message).toBe('invalid parameters: season Required; stores.0.id Expected string');
    expect(error.details).toEqual({
      issues: [
        { path: 'season', message: 'Required' },
        { path: 'stores.0.id', message: 'Expected string' },
      ],
    });
    expect(error.suggestions).toEqual(['fix season: Required', 'fix stores.0.id: Expected string']);
  });

  it('names an issue at the root "(root)" in the message and "the value" in the suggestion', () => {
    const error = new InvalidParametersError('bad body', [{ path: '', message: 'Expected object' }]);
    expect(error.message).toBe('bad body: (root) Expected object');
    expect(error.suggestions).toEqual(['fix the value: Expected object']);
  });
});
