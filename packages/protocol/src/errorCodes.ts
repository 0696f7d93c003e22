import { pb } from './messages.js';

type Unprefixed<S> = S extends `ERROR_CODE_${infer Name}` ? Name : never;

/**
 * The names of the schema's error codes without their `ERROR_CODE_` prefix
 * ('NOT_FOUND', 'LIMIT_EXCEEDED', …), derived from the generated enum so that
 * a code added to the schema is a name here too.
 */
export type ErrorCodeName = Unprefixed<keyof typeof pb.ErrorCode>;

/** The name of an error code number ('UNSPECIFIED' for a number this version does not know). */
export function errorCodeName(code: number | null | undefined): ErrorCodeName {
  const name = pb.ErrorCode[code ?? 0] as string | undefined;
  return (name?.replace('ERROR_CODE_', '') ?? 'UNSPECIFIED') as ErrorCodeName;
}

/** The number of an error code name. */
export function errorCodeValue(name: ErrorCodeName): pb.ErrorCode {
  return pb.ErrorCode[`ERROR_CODE_${name}`];
}
