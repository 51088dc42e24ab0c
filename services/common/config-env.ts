/**
 * Helpers for each service's `config.ts`, the only modules that read `process.env`: they take the
 * environment as an argument so configuration errors are testable without touching globals.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown at cold start when the function's configuration is missing or malformed. */
export class ConfigurationError extends Error {
  readonly code = 'ConfigurationError';
  override readonly name = 'ConfigurationError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`environment variable ${variable} ${problem}`);
  }
}

export function requireString(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigurationError(name, 'is required but not set');
  return value;
}

export function optionalString(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function optionalPositiveInteger(env: Environment, name: string, fallback: number): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigurationError(name, `must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

export function requirePositiveInteger(env: Environment, name: string): number {
  const raw = requireString(env, name);
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigurationError(name, `must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

export function optionalUrl(env: Environment, name: string): string | undefined {
  const raw = optionalString(env, name);
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigurationError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw;
}

/** Where and how the SDK clients connect; endpoints are set only by the local runtime. */
export interface AwsConnection {
  region?: string;
  endpoints: { dynamodb?: string; sesv2?: string; sns?: string; secretsManager?: string; scheduler?: string };
}

export function readAwsConnection(env: Environment): AwsConnection {
  const region = optionalString(env, 'AWS_REGION');
  const endpoints: AwsConnection['endpoints'] = {};
  const dynamodb = optionalUrl(env, 'AWS_ENDPOINT_URL_DYNAMODB');
  const sesv2 = optionalUrl(env, 'AWS_ENDPOINT_URL_SESV2');
  const sns = optionalUrl(env, 'AWS_ENDPOINT_URL_SNS');
  if (dynamodb) endpoints.dynamodb = dynamodb;
  if (sesv2) endpoints.sesv2 = sesv2;
  if (sns) endpoints.sns = sns;
  const secretsManager = optionalUrl(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER');
  if (secretsManager) endpoints.secretsManager = secretsManager;
  const scheduler = optionalUrl(env, 'AWS_ENDPOINT_URL_SCHEDULER');
  if (scheduler) endpoints.scheduler = scheduler;
  return region === undefined ? { endpoints } : { region, endpoints };
}
