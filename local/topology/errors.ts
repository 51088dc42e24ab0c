/**
 * Typed errors of the topology reader. Each carries a stable `code`, and the message names the
 * stack, resource and property path the problem was found at, so a broken template can be fixed
 * without reading the reader.
 */

export type TopologyErrorCode =
  | 'AssemblyNotFound'
  | 'InvalidAssembly'
  | 'UnsupportedIntrinsic'
  | 'UnresolvableReference'
  | 'InvalidResource'
  | 'UnsupportedResource'
  | 'MissingAsset'
  | 'SynthesisFailed';

export class TopologyError extends Error {
  readonly code: TopologyErrorCode;

  constructor(code: TopologyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The directory is not a cloud assembly, or its manifest/templates/asset manifests are malformed. */
export class InvalidAssemblyError extends TopologyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidAssembly', message, options);
  }
}

export class AssemblyNotFoundError extends TopologyError {
  readonly assemblyDir: string;

  constructor(assemblyDir: string) {
    super('AssemblyNotFound', `no cloud assembly at ${assemblyDir}: manifest.json is missing (synthesize the CDK app first)`);
    this.assemblyDir = assemblyDir;
  }
}

/** Where in which template a value was being resolved. */
export interface TemplateLocation {
  stackName: string;
  /** The logical id of the resource or output, when inside one. */
  logicalId?: string;
  /** Dotted property path, e.g. `Properties.Environment.Variables.TABLE`. */
  path: string;
}

export function describeLocation(location: TemplateLocation): string {
  const owner = location.logicalId ? `${location.stackName}/${location.logicalId}` : location.stackName;
  return `${owner} at ${location.path}`;
}

/** An intrinsic function (or a form of one) the reader cannot evaluate locally. */
export class UnsupportedIntrinsicError extends TopologyError {
  readonly location: TemplateLocation;
  readonly intrinsic: string;

  constructor(intrinsic: string, location: TemplateLocation, detail?: string) {
    super('UnsupportedIntrinsic', `${describeLocation(location)}: cannot resolve ${intrinsic} locally${detail ? `: ${detail}` : ''}`);
    this.location = location;
    this.intrinsic = intrinsic;
  }
}

/** A Ref/GetAtt/ImportValue/Sub variable that names nothing resolvable. */
export class UnresolvableReferenceError extends TopologyError {
  readonly location: TemplateLocation;

  constructor(location: TemplateLocation, message: string) {
    super('UnresolvableReference', `${describeLocation(location)}: ${message}`);
    this.location = location;
  }
}

/** A resource the runtime emulates has a property it cannot use (missing, wrong type, out of range). */
export class InvalidResourceError extends TopologyError {
  readonly location: TemplateLocation;

  constructor(location: TemplateLocation, message: string) {
    super('InvalidResource', `${describeLocation(location)}: ${message}`);
    this.location = location;
  }
}

/** A resource the runtime must emulate is configured in a way it does not support (e.g. a pipe with a Kinesis source). */
export class UnsupportedResourceError extends TopologyError {
  readonly location: TemplateLocation;

  constructor(location: TemplateLocation, message: string) {
    super('UnsupportedResource', `${describeLocation(location)}: ${message}`);
    this.location = location;
  }
}

/** A function's code asset is not in the assembly (or not an unpacked directory). */
export class MissingAssetError extends TopologyError {
  readonly location: TemplateLocation;

  constructor(location: TemplateLocation, message: string) {
    super('MissingAsset', `${describeLocation(location)}: ${message}`);
    this.location = location;
  }
}

export class SynthesisFailedError extends TopologyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SynthesisFailed', message, options);
  }
}
