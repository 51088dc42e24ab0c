/** Errors of the function host itself (not of the functions it runs, which are InvokeResults). */

export type FunctionHostErrorCode = 'ResourceNotFoundException' | 'RequestTooLargeException' | 'HostStopped' | 'InvalidFunctionSpec';

export class FunctionHostError extends Error {
  readonly code: FunctionHostErrorCode;

  constructor(code: FunctionHostErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invoke named a function the host was not given (Lambda's ResourceNotFoundException). */
export class FunctionNotFoundError extends FunctionHostError {
  readonly functionId: string;

  constructor(functionId: string, known: string[]) {
    super('ResourceNotFoundException', `Function not found: ${functionId} (known: ${known.join(', ') || 'none'})`);
    this.functionId = functionId;
  }
}

/** The request payload is over Lambda's synchronous-invocation limit. */
export class RequestTooLargeError extends FunctionHostError {
  constructor(functionId: string, bytes: number, limit: number) {
    super('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation (${functionId}: ${bytes} bytes)`);
  }
}

export class HostStoppedError extends FunctionHostError {
  constructor(functionId: string) {
    super('HostStopped', `the function host was stopped; ${functionId} cannot be invoked`);
  }
}

export class InvalidFunctionSpecError extends FunctionHostError {
  constructor(message: string) {
    super('InvalidFunctionSpec', message);
  }
}
