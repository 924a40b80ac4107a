/**
 * Jest environment for suites that run onnxruntime-node in the test process. The native addon
 * creates its output typed arrays in Node's main realm, while ORT's JS (loaded inside jest's
 * sandbox) checks them with `instanceof` against the sandbox's constructors and throws. Sharing
 * the main realm's typed-array constructors with the sandbox makes both sides agree.
 * Use with a `@jest-environment ./test/pipeline/helpers/ort-environment.js` docblock.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer'];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
