// Module hooks that report every URL Node's loader resolves, so a test can tell which packages
// a code path loads. Registered with `module.register`, they run on the loader's own thread.
let port;

export async function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
