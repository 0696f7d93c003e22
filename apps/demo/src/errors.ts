/** Why the demo could not start: a setting the operator can change. */
export type DemoStartErrorCode = 'PORT_IN_USE' | 'BAD_SETTING';

/** The demo could not start; the message names the setting to change. */
export class DemoStartError extends Error {
  readonly code: DemoStartErrorCode;

  constructor(code: DemoStartErrorCode, message: string) {
    super(message);
    this.name = 'DemoStartError';
    this.code = code;
  }
}
