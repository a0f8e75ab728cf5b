/** Loads one of a run's plans again whenever `version` moves; "not there yet" (404) is an empty state, not an error. */
import { ApiError } from '../../../api/client';
import { useAsync, type Async } from '../../../hooks/useAsync';

export function usePlan<T>(load: () => Promise<T>, runId: string, version: number): Async<T | null> {
  return useAsync(async () => {
    try {
      return await load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [runId, version]);
}
