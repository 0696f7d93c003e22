// What the page tells a person when something goes wrong: what happened and
// what to do, not a stack.
import { RequestError, TimeoutError, TransportFailedError } from '@x/client';

/** Why joining failed, for the form the page returns to. */
export function joinErrorText(error: unknown, name: string): string {
  if (error instanceof RequestError) {
    switch (error.code) {
      case 'PEER_NAME_TAKEN':
        return `The name “${name}” is already taken in this room: choose another one.`;
      case 'UNAUTHENTICATED':
      case 'FORBIDDEN':
        return `The server did not let you in: ${error.message}`;
      case 'LIMIT_EXCEEDED':
      case 'RATE_LIMITED':
        return `The room or server is full or busy: ${error.message}. Try again in a moment.`;
      case 'INCOMPATIBLE_PROTOCOL_VERSION':
        return 'This page and the server are different versions: reload the page.';
      default:
        return `The server refused to join: ${error.message} (${error.code}).`;
    }
  }
  if (error instanceof TimeoutError) return 'The server did not answer in time: try again.';
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError')
      return 'The browser was not allowed to use the camera or microphone: allow them for this site and try again.';
    if (error.name === 'NotFoundError' || error.name === 'OverconstrainedError')
      return 'The chosen camera or microphone is not available: pick another one.';
    if (error.name === 'NotReadableError')
      return 'The camera or microphone is in use by another program: close it and try again.';
  }
  const e = error as Error;
  return e?.message ? `Could not join: ${e.message}` : `Could not join: ${String(error)}`;
}

/** Why media does not flow, for the banner of a joined page. */
export function mediaErrorText(error: TransportFailedError): string {
  const hint =
    location.hostname === 'localhost' || location.hostname === '127.0.0.1'
      ? ' Some browsers (Firefox) cannot reach a server that offers only 127.0.0.1: start it with a LAN address.'
      : ' The server may announce an address this browser cannot reach, or a firewall blocks its UDP ports.';
  return `Joined, but no media connection: ${error.message}${hint}`;
}

export { TransportFailedError };
