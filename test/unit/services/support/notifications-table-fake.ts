import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Item = Record<string, AttributeValue>;

interface UpdateInput {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

const scalar = (value: AttributeValue | undefined): string | number | undefined => (value?.S !== undefined ? value.S : value?.N !== undefined ? Number(value.N) : undefined);

/**
 * An in-memory notifications table for UpdateItem: SET and REMOVE clauses, and the condition
 * expressions' grammar the notifier uses (attribute_exists / attribute_not_exists, =, <, <=, IN,
 * AND, OR, parentheses), evaluated on the stored row; a false condition throws
 * ConditionalCheckFailedException as DynamoDB does. Unused names or values are refused, as DynamoDB
 * refuses them.
 */
export class NotificationsTableFake {
  readonly rows = new Map<string, Item>();

  constructor(readonly tableName: string) {}

  row(appointmentId: string, notificationId: string): Record<string, unknown> | undefined {
    const item = this.rows.get(`${appointmentId}|${notificationId}`);
    return item ? unmarshall(item) : undefined;
  }

  rowsOf(appointmentId: string): Record<string, unknown>[] {
    return [...this.rows.entries()].filter(([key]) => key.startsWith(`${appointmentId}|`)).map(([, item]) => unmarshall(item));
  }

  seed(row: Record<string, AttributeValue>): void {
    this.rows.set(`${row.appointmentId!.S}|${row.notificationId!.S}`, row);
  }

  update(input: UpdateInput): object {
    if (input.TableName !== this.tableName) throw new Error(`unexpected table ${input.TableName}`);
    const key = `${input.Key.appointmentId?.S}|${input.Key.notificationId?.S}`;
    if (!input.Key.appointmentId?.S || !input.Key.notificationId?.S) throw new Error('the key needs appointmentId and notificationId');
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const text = `${input.UpdateExpression} ${input.ConditionExpression ?? ''}`;
    for (const placeholder of [...Object.keys(names), ...Object.keys(values)]) {
      if (!new RegExp(`${placeholder}(?![\\w])`).test(text)) throw new Error(`ValidationException: ${placeholder} is unused in the expressions`);
    }
    const name = (token: string): string => {
      const resolved = names[token];
      if (!resolved) throw new Error(`ValidationException: ${token} is not defined`);
      return resolved;
    };
    const value = (token: string): AttributeValue => {
      const resolved = values[token];
      if (!resolved) throw new Error(`ValidationException: ${token} is not defined`);
      return resolved;
    };
    const existing = this.rows.get(key);
    if (input.ConditionExpression && !this.evaluate(input.ConditionExpression, existing ?? {}, name, value)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
    const item: Item = { ...(existing ?? input.Key) };
    const match = /^SET (.+?)(?: REMOVE (.+))?$/.exec(input.UpdateExpression.trim());
    if (!match) throw new Error(`unsupported UpdateExpression ${input.UpdateExpression}`);
    for (const assignment of match[1]!.split(',')) {
      const [target, source] = assignment.split('=').map((part) => part.trim()) as [string, string];
      item[name(target)] = value(source);
    }
    for (const target of match[2]?.split(',').map((part) => part.trim()) ?? []) delete item[name(target)];
    this.rows.set(key, item);
    return {};
  }

  private evaluate(expression: string, item: Item, name: (token: string) => string, value: (token: string) => AttributeValue): boolean {
    const tokens = expression.match(/attribute_not_exists|attribute_exists|IN|AND|OR|<=|<|=|\(|\)|,|[#:]\w+/g) ?? [];
    let position = 0;
    const peek = () => tokens[position];
    const next = () => tokens[position++]!;
    const expect = (token: string) => {
      if (next() !== token) throw new Error(`condition ${expression}: expected ${token}`);
    };
    const primary = (): boolean => {
      const token = next();
      if (token === '(') {
        const result = or();
        expect(')');
        return result;
      }
      if (token === 'attribute_exists' || token === 'attribute_not_exists') {
        expect('(');
        const present = item[name(next())] !== undefined;
        expect(')');
        return token === 'attribute_exists' ? present : !present;
      }
      const left = scalar(item[name(token)]);
      const operator = next();
      if (operator === 'IN') {
        expect('(');
        const options: Array<string | number | undefined> = [scalar(value(next()))];
        while (peek() === ',') {
          next();
          options.push(scalar(value(next())));
        }
        expect(')');
        return left !== undefined && options.includes(left);
      }
      const right = scalar(value(next()));
      if (left === undefined || right === undefined) return false;
      if (operator === '=') return left === right;
      if (operator === '<') return left < right;
      if (operator === '<=') return left <= right;
      throw new Error(`condition ${expression}: unsupported operator ${operator}`);
    };
    const and = (): boolean => {
      let result = primary();
      while (peek() === 'AND') {
        next();
        result = primary() && result;
      }
      return result;
    };
    const or = (): boolean => {
      let result = and();
      while (peek() === 'OR') {
        next();
        result = and() || result;
      }
      return result;
    };
    const result = or();
    if (position !== tokens.length) throw new Error(`condition ${expression}: unexpected ${peek()}`);
    return result;
  }
}
