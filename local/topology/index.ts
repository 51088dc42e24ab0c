export * from './types';
export * from './errors';
export { readCloudAssembly, RESOURCE_DEFAULTS, DEFAULT_LOCAL_ACCOUNT_ID, DEFAULT_LOCAL_REGION } from './read-cloud-assembly';
export type { ReadCloudAssemblyOptions, TopologyWithWarnings } from './read-cloud-assembly';
export { synthesizeAssembly, synthesizeAssemblyInChildProcess } from './synthesize-assembly';
export type { SynthesizeAssemblyOptions, DeploymentStage, OutOfProcessSynthesis } from './synthesize-assembly';
export { LOCAL_STREAM_LABEL } from './resource-model';
