export { type LoadTestOptions, type LoadTestReport, runLoadTest } from './LoadTest.js';
export { formatReport } from './report.js';
export type { Percentiles, TrackFigures } from './stats.js';
export { type TokenSource, tokensFromSecret, tokensFromUrl } from './tokens.js';
