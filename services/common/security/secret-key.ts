import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** How long a warm function keeps the key before asking Secrets Manager again. */
export const SECRET_CACHE_SECONDS = 300;

export interface SecretKeySource {
  /** The current key; cached for SECRET_CACHE_SECONDS, fetched on first use. */
  get(): Promise<string>;
}

/**
 * The manage-token HMAC key from Secrets Manager, read with Powertools parameters (which caches it
 * across invocations of a warm environment), through the client the shared factory made
 * (aws-clients.ts: the endpoint override the local runtime sets, the common retry settings).
 */
export function secretKeySource(client: SecretsManagerClient, secretArn: string): SecretKeySource {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  return {
    async get() {
      const value = await provider.get(secretArn, { maxAge: SECRET_CACHE_SECONDS });
      if (typeof value !== 'string' || value.length < 32) {
        throw new Error('the manage-token secret is missing or shorter than 32 characters');
      }
      return value;
    },
  };
}
