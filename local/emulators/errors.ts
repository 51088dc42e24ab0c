/**
 * Typed errors of the emulator layer. Each carries a stable `code` so that the runtime (and its
 * tests) can tell a missing prerequisite from a bad option from an emulator that would not start,
 * without parsing messages.
 */

export type EmulatorErrorCode =
  | 'JavaUnavailable'
  | 'InvalidEmulatorOption'
  | 'EmulatorStartFailed'
  | 'EmulatorStopFailed';

export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  /** The emulator the error is about (`dynamodb-local`, `fauxqs`, ...). */
  readonly emulator: string;

  constructor(code: EmulatorErrorCode, emulator: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.emulator = emulator;
  }
}

/** Java is missing or too old for DynamoDB Local. */
export class JavaUnavailableError extends EmulatorError {
  /** The major version found, when a `java` was found at all. */
  readonly foundMajorVersion: number | undefined;

  constructor(message: string, foundMajorVersion: number | undefined, options?: { cause?: unknown }) {
    super('JavaUnavailable', 'dynamodb-local', message, options);
    this.foundMajorVersion = foundMajorVersion;
  }
}

/** An option passed to an emulator is invalid (bad port, unsupported setting, ...). */
export class InvalidEmulatorOptionError extends EmulatorError {
  readonly option: string;

  constructor(emulator: string, option: string, message: string) {
    super('InvalidEmulatorOption', emulator, `${emulator}: invalid option ${option}: ${message}`);
    this.option = option;
  }
}

/** An emulator did not become ready (it exited, could not bind, or missed its deadline). */
export class EmulatorStartError extends EmulatorError {
  constructor(emulator: string, message: string, options?: { cause?: unknown }) {
    super('EmulatorStartFailed', emulator, `${emulator} failed to start: ${message}`, options);
  }
}

export class EmulatorStopError extends EmulatorError {
  constructor(emulator: string, message: string, options?: { cause?: unknown }) {
    super('EmulatorStopFailed', emulator, `${emulator} failed to stop: ${message}`, options);
  }
}
