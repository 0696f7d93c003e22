/** What a browser offers to hear of network changes (absent in Node). */
interface NetworkEvents {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

/**
 * Calls `onChange` when the browser says its network changed: the window's
 * `online` event (an interface came up, or back) and, where there is one,
 * `navigator.connection`'s `change` (Wi-Fi to cellular, a new address).
 * Browsers fire these within milliseconds of the change, while the media
 * path takes seconds to go `disconnected` and a dead WebSocket says nothing
 * at all, so they are the earliest sign that the signaling path may be gone.
 * Returns the function that stops listening. Outside a browser, it does
 * nothing.
 */
export function watchNetworkChanges(onChange: () => void): () => void {
  const scope = globalThis as NetworkEvents & { navigator?: { connection?: NetworkEvents } };
  const targets: [NetworkEvents, string][] = [];
  if (typeof scope.addEventListener === 'function') targets.push([scope, 'online']);
  const connection = scope.navigator?.connection;
  if (typeof connection?.addEventListener === 'function') targets.push([connection, 'change']);
  const listener = () => onChange();
  for (const [target, type] of targets) target.addEventListener?.(type, listener);
  return () => {
    for (const [target, type] of targets) target.removeEventListener?.(type, listener);
  };
}
