import type { IamStatementSpec } from '../topology';

/**
 * Whether identity-policy statements allow `action` on `resource`, as IAM decides for one policy
 * set with no resource policy: an explicit Deny wins, else some Allow must match. Actions match
 * case-insensitively, resources case-sensitively, both with `*` and `?` wildcards.
 *
 * Not evaluated: conditions. A conditional Allow grants nothing here and a conditional Deny always
 * applies, so the local answer is never more permissive than AWS's; permission boundaries, SCPs
 * and session policies do not exist locally.
 */
export function statementsAllow(statements: readonly IamStatementSpec[], action: string, resource: string): boolean {
  const matches = (statement: IamStatementSpec): boolean =>
    statement.actions.some((pattern) => wildcard(pattern, 'i').test(action)) && statement.resources.some((pattern) => wildcard(pattern, '').test(resource));
  if (statements.some((statement) => statement.effect === 'Deny' && matches(statement))) return false;
  return statements.some((statement) => statement.effect === 'Allow' && !statement.conditional && matches(statement));
}

function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}
