// The process as the issue words it, written out independently of src/…/states.ts so tests can judge the table.
export const PATH = [
  'DISCOVERY',
  'PLANNING',
  'HANDOFF_TO_CODER',
  'IMPLEMENTATION',
  'HANDOFF_TO_TESTER',
  'TESTING',
  'HANDOFF_TO_VERIFIER',
  'VERIFICATION',
  'HANDOFF_TO_RELEASER',
  'DEPLOYMENT',
  'COMPLETE',
];
/** request-retry: every role state but the first back to the previous role's state, and verification's findings back to implementation. */
export const RETRIES = [
  ['PLANNING', 'DISCOVERY'],
  ['IMPLEMENTATION', 'PLANNING'],
  ['TESTING', 'IMPLEMENTATION'],
  ['VERIFICATION', 'TESTING'],
  ['VERIFICATION', 'IMPLEMENTATION'],
  ['DEPLOYMENT', 'VERIFICATION'],
];

/** Forward one step along the path, back along a retry path, or into ERROR from any state not finished. */
export function expectedAllowed(from: string, to: string): boolean {
  const forward = PATH.includes(from) && from !== 'COMPLETE' && PATH.indexOf(to) === PATH.indexOf(from) + 1;
  const retry = RETRIES.some(([f, t]) => f === from && t === to);
  const critical = to === 'ERROR' && from !== 'COMPLETE' && from !== 'ERROR';
  return forward || retry || critical;
}
