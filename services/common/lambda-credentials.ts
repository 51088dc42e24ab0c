/**
 * Stands in for `@aws-sdk/credential-provider-node` in the bundled functions (the bundler aliases
 * it here: cdk/constructs/service-function.ts). Lambda hands every execution environment its
 * role's credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, so the
 * SDK's default chain (SSO, profiles, STS web identity, process, container and instance metadata,
 * with the nested STS/SSO clients they need: about 90 KiB of every bundle) can never get past its
 * first link there. Only the environment link ships; without those variables it fails with the
 * SDK's own "Unable to find environment variable credentials" error. Unit tests and tools run
 * unbundled and keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** Same name and shape as the default chain's export, which every client's runtime config calls. */
export const defaultProvider = (init?: FromEnvInit): ReturnType<typeof fromEnv> => fromEnv(init);
