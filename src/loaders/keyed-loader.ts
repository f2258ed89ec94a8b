/**
 * A per-request loader for calls that have no batch endpoint upstream: each distinct key is fetched
 * once per request, and all keys asked for in the same tick go out in parallel. Errors are cached per
 * key as values (DataLoader's contract), so one failing key fails only the fields that asked for it.
 */
import DataLoader from 'dataloader';

export function keyedLoader<K, V>(fetch: (key: K) => Promise<V>, keyOf: (key: K) => string = (key) => JSON.stringify(key)) {
  return new DataLoader<K, V, string>(
    (keys) => Promise.all(keys.map((key) => fetch(key).catch((error: Error) => error))),
    { cacheKeyFn: keyOf, maxBatchSize: 100 },
  );
}
