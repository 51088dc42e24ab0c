'use strict';
/*
 * The local runtime interface: the first (and only) program of each execution environment, as
 * Lambda's runtime interface client is. It loads the function's module at cold start (init), then
 * runs the invocations the host sends over IPC, one at a time, and answers each with the handler's
 * JSON result or its error. Plain CommonJS with no dependencies, so it runs unchanged on every
 * Node.js version the functions target.
 *
 * Protocol (IPC messages, JSON):
 *   child -> host  { type: 'ready', initDurationMs }
 *                  { type: 'init-error', errorType, errorMessage, stackTrace }
 *                  { type: 'result', requestId, payload }            payload: JSON text
 *                  { type: 'error', requestId, errorType, errorMessage, stackTrace }
 *                  { type: 'uncaught', errorType, errorMessage, stackTrace } (then the process exits)
 *   host -> child  { type: 'invoke', requestId, payload, deadlineMs, invokedFunctionArn, traceId }
 */
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerSetting = process.env._HANDLER || '';
let currentRequestId;

function describeError(error) {
  if (error instanceof Error) {
    return {
      errorType: typeof error.name === 'string' && error.name !== '' ? error.name : 'Error',
      errorMessage: error.message,
      stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: typeof error === 'string' ? error : util.inspect(error), stackTrace: [] };
}

function send(message, then) {
  if (!process.connected) return;
  process.send(message, then);
}

// Lambda prefixes plain console output with time, request id and level. Structured loggers
// (Powertools) write through their own Console and stay untouched JSON lines.
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  const stream = method === 'warn' || method === 'error' ? process.stderr : process.stdout;
  console[method] = (...args) => {
    stream.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args)}\n`);
  };
}

function crash(error) {
  const described = describeError(error);
  process.stderr.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\tERROR\tUncaught Exception \t${JSON.stringify(described)}\n`);
  send({ type: 'uncaught', ...described }, () => process.exit(129));
  setTimeout(() => process.exit(129), 500).unref();
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// The host went away: nothing can invoke this environment any more.
process.on('disconnect', () => process.exit(0));

class InitError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    if (cause) this.stack = cause.stack;
  }
}

function resolveModuleFile(moduleName) {
  const base = path.resolve(taskRoot, moduleName);
  for (const extension of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(base + extension)) return base + extension;
  }
  return undefined;
}

async function loadHandler() {
  const match = /^(.+)\.([^./]+)$/.exec(handlerSetting);
  if (!match) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${handlerSetting}`);
  const [, moduleName, exportName] = match;
  const file = resolveModuleFile(moduleName);
  if (!file) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`);
  let moduleExports;
  try {
    if (file.endsWith('.mjs')) {
      moduleExports = await import(pathToFileURL(file).href);
    } else {
      try {
        moduleExports = require(file);
      } catch (error) {
        if (error && error.code === 'ERR_REQUIRE_ESM') moduleExports = await import(pathToFileURL(file).href);
        else throw error;
      }
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error);
    if (error && error.code === 'MODULE_NOT_FOUND') throw new InitError('Runtime.ImportModuleError', `Error: ${error.message}`, error);
    // The module's own top-level code threw (e.g. its configuration is missing a variable).
    throw error;
  }
  const handler = moduleExports ? moduleExports[exportName] : undefined;
  if (handler === undefined) throw new InitError('Runtime.HandlerNotFound', `${moduleName}.${exportName} is undefined or not exported`);
  if (typeof handler !== 'function') throw new InitError('Runtime.HandlerNotFound', `${moduleName}.${exportName} is not a function`);
  return handler;
}

function createContext(message, complete) {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = {
    awsRequestId: message.requestId,
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    done: (error, result) => complete(error, result),
    succeed: (result) => complete(null, result),
    fail: (error) => complete(error === undefined || error === null ? new Error('handled') : error),
  };
  return context;
}

function runInvocation(handler, message) {
  currentRequestId = message.requestId;
  if (message.traceId) process.env._X_AMZN_TRACE_ID = message.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  let settled = false;
  const complete = (error, result) => {
    if (settled) return;
    settled = true;
    if (error !== null && error !== undefined) {
      send({ type: 'error', requestId: message.requestId, ...describeError(error) });
      return;
    }
    let payload;
    try {
      payload = result === undefined ? 'null' : JSON.stringify(result);
    } catch (serializationError) {
      send({ type: 'error', requestId: message.requestId, errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${serializationError.message}`, stackTrace: [] });
      return;
    }
    send({ type: 'result', requestId: message.requestId, payload: payload === undefined ? 'null' : payload });
  };
  let event;
  try {
    event = JSON.parse(message.payload);
  } catch (error) {
    complete(error);
    return;
  }
  const context = createContext(message, complete);
  let returned;
  try {
    // Lambda answers a callback-style handler once its event loop is empty
    // (callbackWaitsForEmptyEventLoop); this shim answers when the callback is called, since a
    // long-lived process has no "empty" moment to wait for. Handlers that leave work behind still
    // run it, as a warm Lambda environment eventually would.
    returned = handler(event, context, (error, result) => complete(error, result));
  } catch (error) {
    complete(error);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then((result) => complete(null, result), (error) => complete(error === undefined ? new Error('undefined') : error));
  } else if (handler.length < 3) {
    // A non-async handler that takes no callback finishes with a null result, as in Lambda.
    setImmediate(() => complete(null, null));
  }
}

async function main() {
  const started = process.hrtime.bigint();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const described = describeError(error);
    if (error instanceof InitError) described.errorType = error.errorType;
    process.stderr.write(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(described)}\n`);
    send({ type: 'init-error', ...described }, () => process.exit(1));
    return;
  }
  process.on('message', (message) => {
    if (message && message.type === 'invoke') runInvocation(handler, message);
  });
  send({ type: 'ready', initDurationMs: Number(process.hrtime.bigint() - started) / 1e6 });
}

main();
