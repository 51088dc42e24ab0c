export * from './errors';
export * from './function-host';
export { RUNTIME_BOOTSTRAP, type FunctionError } from './execution-environment';
