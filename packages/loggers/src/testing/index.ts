// @kiln/loggers/testing: test support for remote loggers (loopback HTTP servers with fault
// injection, secret and output checks). Not for production code; an explicit list of named exports.
export { Loopback, freePort, type Reply, type Received, type LoggedRequest, type Fault } from './loopback.js';
export { filesContaining, captureOutput, killWhen } from './capture.js';
