/** The message arithmetic lives in encoding.ts; these names stay importable from here for older importers. */
export { SMS_MAX_LENGTH, messageLength, splitMessage } from './encoding';
