/**
 * The generated protobuf classes of `x.signaling.v1` (protobufjs static code,
 * built from `protocol/x/signaling/v1/*.proto` by the build). Each message is
 * a class with `create`, `encode` and `decode`, and a type of the same name;
 * most code goes through the framing and conversion helpers instead.
 */
export { pb } from './generated/signaling.js';
