/** Inspection of a replica (DESIGN §10): the versioned protocol devtools read. */
export * from './inspect-protocol.ts';
export { parseInspectRequest } from './parse-inspect-request.ts';
export { inspect } from './inspect.ts';
export type { InspectTarget } from './inspect-target.ts';
export { summarizeOp, summarizeOps } from './op-summary.ts';
