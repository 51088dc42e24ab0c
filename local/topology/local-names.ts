import { createHash } from 'node:crypto';

/**
 * Local physical names. CloudFormation generates names like `Dev-Stateless-NotificationsQueue91395D8F-AbC123`;
 * locally they must be deterministic (the same assembly gives the same names, so data in the
 * emulators survives restarts), readable, unique and within each service's limits.
 */

export interface NameRule {
  maxLength: number;
  /** Characters not allowed are replaced by `-`. */
  allowed: RegExp;
  /** A suffix that must end the name (`.fifo` for FIFO queues). */
  suffix?: string;
}

export const NAME_RULES = {
  table: { maxLength: 255, allowed: /[A-Za-z0-9_.-]/ },
  queue: { maxLength: 80, allowed: /[A-Za-z0-9_-]/ },
  topic: { maxLength: 256, allowed: /[A-Za-z0-9_-]/ },
  function: { maxLength: 64, allowed: /[A-Za-z0-9_-]/ },
  pipe: { maxLength: 64, allowed: /[A-Za-z0-9_.-]/ },
  generic: { maxLength: 128, allowed: /[A-Za-z0-9_.-]/ },
} satisfies Record<string, NameRule>;

/** CDK appends an 8-hex-digit hash of the construct path to logical ids; it adds nothing to a local name. */
const CDK_LOGICAL_ID_HASH = /[0-9A-F]{8}$/;

export function stripCdkHash(logicalId: string): string {
  const stripped = logicalId.replace(CDK_LOGICAL_ID_HASH, '');
  return stripped === '' ? logicalId : stripped;
}

export function shortHash(input: string, length = 8): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

/**
 * Fits `base` to a rule: disallowed characters become `-`; a name over the limit is cut and ends
 * with a hash of the full name, so two long names that share a prefix stay distinct.
 */
export function fitName(base: string, rule: NameRule): string {
  const suffix = rule.suffix ?? '';
  let body = base.endsWith(suffix) && suffix !== '' ? base.slice(0, -suffix.length) : base;
  body = [...body].map((ch) => (rule.allowed.test(ch) ? ch : '-')).join('');
  const room = rule.maxLength - suffix.length;
  if (body.length > room) {
    const hash = shortHash(base);
    body = `${body.slice(0, room - hash.length - 1)}-${hash}`;
  }
  return `${body}${suffix}`;
}

/** `<stack>-<LogicalId without CDK hash>`, e.g. `Dev-Stateless-NotificationsQueue`. */
export function defaultLocalName(stackName: string, logicalId: string, rule: NameRule): string {
  return fitName(`${stackName}-${stripCdkHash(logicalId)}`, rule);
}

/** API Gateway ids are 10 lower-case alphanumerics; a hash keeps ours deterministic. */
export function localApiGatewayId(qualifiedId: string): string {
  return shortHash(`apigw:${qualifiedId}`, 10);
}
