/**
 * The one factory for SDK clients. Services call it once, at module scope, so a warm Lambda reuses
 * connections; an endpoint override (from the service's config) points a client at an emulator.
 */
// No Powertools Tracer (captureAWSv3Client) on these clients, by measurement: it pulls in
// aws-xray-sdk-core and adds ~123 KiB to every bundle (synthesized dev assets: notifier 953 -> 1076
// KiB, booking 756 -> 879 KiB, enrichment 710 -> 833 KiB; the same ~122 KiB as ESM), twice the 60 KiB
// allowed against the bundle budgets. Lambda's active tracing (ServiceFunction) still traces every
// invocation, its init and duration; only the per-SDK-call subsegments are not recorded.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsConnection } from './config-env';

// Adaptive retry backs off on throttling instead of hammering a throttled table or SES.
const COMMON = { maxAttempts: 3, retryMode: 'adaptive' } as const;

function options(connection: AwsConnection, endpoint: string | undefined): Record<string, unknown> {
  return {
    ...COMMON,
    ...(connection.region ? { region: connection.region } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

export function createDynamoDbClient(connection: AwsConnection): DynamoDBClient {
  return new DynamoDBClient(options(connection, connection.endpoints.dynamodb));
}

export function createSesClient(connection: AwsConnection): SESv2Client {
  return new SESv2Client(options(connection, connection.endpoints.sesv2));
}

export function createSnsClient(connection: AwsConnection): SNSClient {
  return new SNSClient(options(connection, connection.endpoints.sns));
}

export function createSecretsManagerClient(connection: AwsConnection): SecretsManagerClient {
  return new SecretsManagerClient(options(connection, connection.endpoints.secretsManager));
}

export function createSchedulerClient(connection: AwsConnection): SchedulerClient {
  return new SchedulerClient(options(connection, connection.endpoints.scheduler));
}
