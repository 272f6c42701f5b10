/**
 * Sets `key` as the newest entry of an insertion-ordered Map and, past `max`
 * entries, forgets the oldest: the bound every in-memory table of the shim keeps
 * (the sandbox's orders, the credential cache, failed logins).
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
