import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalRuntime } from '../../local/runtime/local-runtime';
import { synthesizeAssembly } from '../../local/topology';
import { PRACTICE_OPENING_HOURS } from '../../cdk/config/environments';
import { openingSlot } from '../../services/booking/domain/opening-hours';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(description: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

let synthesized: string | undefined;

/** The dev app's cloud assembly, synthesized once per test file (bundling takes seconds). */
export async function devAssembly(): Promise<string> {
  synthesized ??= await synthesizeAssembly({ stage: 'dev', outdir: mkdtempSync(join(tmpdir(), 'e2e-assembly-')) });
  return synthesized;
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/**
 * A copy of an assembly with its templates edited, as a different `cdk synth` would have written
 * them: the runtime must follow the edit with no change of its own.
 */
export function variantAssembly(source: string, edit: (template: Template, stackFile: string) => void): string {
  const target = mkdtempSync(join(tmpdir(), 'e2e-variant-'));
  cpSync(source, target, { recursive: true });
  for (const file of readdirSync(target).filter((name) => name.endsWith('.template.json'))) {
    const path = join(target, file);
    const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
    edit(template, file);
    writeFileSync(path, JSON.stringify(template, null, 1));
  }
  return target;
}

export function resourcesOfType(template: Template, type: string): Array<{ Type: string; Properties: Record<string, unknown> }> {
  return Object.values(template.Resources).filter((resource) => resource.Type === type);
}

export function removeDirectory(path: string | undefined): void {
  if (path) rmSync(path, { recursive: true, force: true });
}

/**
 * A start the booking API accepts: `daysAhead` days from now (or the first opening day after), at
 * 10:00 on the practice's clock, written with the practice zone's real offset (`+01:00` in summer).
 */
export function futureDateTime(daysAhead = 10, localTime = '10:00'): string {
  return openingSlot(PRACTICE_OPENING_HOURS, { daysAhead, localTime });
}

export async function postJson(url: URL | string, body: unknown, method = 'POST'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The table with a stream: the appointments table, whatever the assembly names it. */
export function appointmentsTableName(runtime: LocalRuntime): string {
  const table = runtime.topology.tables.find((candidate) => candidate.streamViewType);
  if (!table) throw new Error('the assembly has no table with a stream');
  return table.tableName;
}

/**
 * A write that is no patient-visible change, as an operator's tool would make it behind the API: the
 * booking's e-mail is set to another address in one UpdateItem, and nothing else (no new version, no
 * new lastChange). Its stream record is a MODIFY whose lastChange still says booked, which the
 * synthesized filter drops; a reschedule is the PATCH route, never this.
 */
export async function setEmailBehindTheApi(runtime: LocalRuntime, appointmentId: string, email: string): Promise<void> {
  await runtime.clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: appointmentsTableName(runtime),
      Key: { id: { S: appointmentId } },
      UpdateExpression: 'SET email = :email',
      ExpressionAttributeValues: { ':email': { S: email } },
    }),
  );
}

/** The notifications table of the local runtime: its key is appointmentId + notificationId. */
export function notificationsTableName(runtime: LocalRuntime): string {
  const table = runtime.topology.tables.find((candidate) => candidate.keySchema.some((key) => key.attributeName === 'notificationId'));
  if (!table) throw new Error('the assembly has no notifications table');
  return table.tableName;
}
