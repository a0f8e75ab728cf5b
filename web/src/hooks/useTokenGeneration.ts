/** A number that goes up each time a new API token is saved: put it in a loader's inputs to retry after the prompt. */
import { useEffect, useState } from 'react';
import { onTokenChanged } from '../api/token';

export function useTokenGeneration(): number {
  const [generation, setGeneration] = useState(0);
  useEffect(() => onTokenChanged(() => setGeneration((g) => g + 1)), []);
  return generation;
}
