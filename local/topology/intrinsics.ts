import { type TemplateLocation, UnresolvableReferenceError, UnsupportedIntrinsicError } from './errors';

/**
 * Evaluation of CloudFormation intrinsic functions against local values. What a `Ref` or
 * `Fn::GetAtt` means is the caller's business (the hooks); this module knows only the functions'
 * grammar, and throws naming the template location for anything it cannot evaluate.
 */

/** `Ref: AWS::NoValue`: the property (or list element) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface IntrinsicHooks {
  /** A resource logical id, a parameter or a pseudo parameter. */
  ref(name: string, location: TemplateLocation): unknown;
  getAtt(logicalId: string, attribute: string, location: TemplateLocation): unknown;
  importValue(exportName: string, location: TemplateLocation): unknown;
  /** The value of a named entry of the template's `Conditions`. */
  condition(name: string, location: TemplateLocation): boolean;
  findInMap(mapName: string, topKey: string, secondKey: string, location: TemplateLocation): unknown;
}

const SUPPORTED = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Condition',
]);

function at(location: TemplateLocation, segment: string | number): TemplateLocation {
  return { ...location, path: location.path === '' ? String(segment) : `${location.path}.${segment}` };
}

function isIntrinsicKey(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/** Resolves every intrinsic inside `value`, returning plain JSON (with `AWS::NoValue` entries removed). */
export function resolveValue(value: unknown, hooks: IntrinsicHooks, location: TemplateLocation): unknown {
  const resolved = resolveAny(value, hooks, location);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveAny(value: unknown, hooks: IntrinsicHooks, location: TemplateLocation): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => resolveAny(item, hooks, at(location, index))).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, argument] = entries[0] as [string, unknown];
    // `Condition` is an intrinsic only inside condition expressions; as a property it is data.
    if (isIntrinsicKey(key) && key !== 'Condition') return resolveIntrinsic(key, argument, hooks, at(location, key));
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveAny(item, hooks, at(location, key));
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

function resolveIntrinsic(name: string, argument: unknown, hooks: IntrinsicHooks, location: TemplateLocation): unknown {
  if (!SUPPORTED.has(name)) throw new UnsupportedIntrinsicError(name, location, 'this intrinsic function is not supported by the local runtime');
  switch (name) {
    case 'Ref': {
      if (typeof argument !== 'string') throw new UnsupportedIntrinsicError('Ref', location, 'its argument must be a logical id or parameter name');
      if (argument === 'AWS::NoValue') return NO_VALUE;
      return hooks.ref(argument, location);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = getAttArguments(argument, hooks, location);
      return hooks.getAtt(logicalId, attribute, location);
    }
    case 'Fn::ImportValue': {
      const exportName = resolveAny(argument, hooks, location);
      if (typeof exportName !== 'string') throw new UnsupportedIntrinsicError('Fn::ImportValue', location, 'the export name must resolve to a string');
      return hooks.importValue(exportName, location);
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        throw new UnsupportedIntrinsicError('Fn::Join', location, 'expected [delimiter, [values]]');
      }
      const list = resolveAny(argument[1], hooks, at(location, 1));
      if (!Array.isArray(list)) throw new UnsupportedIntrinsicError('Fn::Join', location, 'the second argument must resolve to a list');
      return list.map((item, index) => scalarToString(item, 'Fn::Join', at(at(location, 1), index))).join(argument[0]);
    }
    case 'Fn::Sub':
      return resolveSub(argument, hooks, location);
    case 'Fn::Select': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new UnsupportedIntrinsicError('Fn::Select', location, 'expected [index, list]');
      const index = Number(resolveAny(argument[0], hooks, at(location, 0)));
      const list = resolveAny(argument[1], hooks, at(location, 1));
      if (!Array.isArray(list)) throw new UnsupportedIntrinsicError('Fn::Select', location, 'the second argument must resolve to a list');
      if (!Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new UnsupportedIntrinsicError('Fn::Select', location, `index ${String(argument[0])} is outside the list of ${list.length}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        throw new UnsupportedIntrinsicError('Fn::Split', location, 'expected [delimiter, string]');
      }
      const source = resolveAny(argument[1], hooks, at(location, 1));
      if (typeof source !== 'string') throw new UnsupportedIntrinsicError('Fn::Split', location, 'the second argument must resolve to a string');
      return source.split(argument[0]);
    }
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
        throw new UnsupportedIntrinsicError('Fn::If', location, 'expected [conditionName, valueIfTrue, valueIfFalse]');
      }
      return hooks.condition(argument[0], location)
        ? resolveAny(argument[1], hooks, at(location, 1))
        : resolveAny(argument[2], hooks, at(location, 2));
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(argument) || argument.length < 3) throw new UnsupportedIntrinsicError('Fn::FindInMap', location, 'expected [map, topKey, secondKey]');
      const [mapName, topKey, secondKey] = argument.slice(0, 3).map((item, index) => scalarToString(resolveAny(item, hooks, at(location, index)), 'Fn::FindInMap', at(location, index)));
      return hooks.findInMap(mapName as string, topKey as string, secondKey as string, location);
    }
    case 'Fn::Base64': {
      const text = resolveAny(argument, hooks, location);
      return Buffer.from(scalarToString(text, 'Fn::Base64', location), 'utf8').toString('base64');
    }
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
    case 'Condition':
      return evaluateCondition({ [name]: argument }, hooks, location);
    default:
      throw new UnsupportedIntrinsicError(name, location);
  }
}

function getAttArguments(argument: unknown, hooks: IntrinsicHooks, location: TemplateLocation): [string, string] {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    if (dot > 0) return [argument.slice(0, dot), argument.slice(dot + 1)];
  }
  if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string') {
    const attribute = resolveAny(argument[1], hooks, at(location, 1));
    if (typeof attribute === 'string') return [argument[0], attribute];
  }
  throw new UnsupportedIntrinsicError('Fn::GetAtt', location, 'expected [logicalId, attributeName] or "logicalId.attributeName"');
}

function scalarToString(value: unknown, intrinsic: string, location: TemplateLocation): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnsupportedIntrinsicError(intrinsic, location, `expected a string, got ${JSON.stringify(value)}`);
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function resolveSub(argument: unknown, hooks: IntrinsicHooks, location: TemplateLocation): string {
  let template: unknown;
  let variables: Record<string, unknown> = {};
  if (typeof argument === 'string') {
    template = argument;
  } else if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string' && argument[1] !== null && typeof argument[1] === 'object') {
    template = argument[0];
    variables = argument[1] as Record<string, unknown>;
  } else {
    throw new UnsupportedIntrinsicError('Fn::Sub', location, 'expected "string" or ["string", {variables}]');
  }
  return (template as string).replace(SUB_VARIABLE, (_match, expression: string) => {
    // `${!Literal}` is how a template writes a literal `${Literal}`.
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    const name = expression.trim();
    if (Object.prototype.hasOwnProperty.call(variables, name)) {
      return scalarToString(resolveAny(variables[name], hooks, at(location, name)), 'Fn::Sub', at(location, name));
    }
    const dot = name.indexOf('.');
    const value = dot > 0 && !name.startsWith('AWS::') ? hooks.getAtt(name.slice(0, dot), name.slice(dot + 1), location) : hooks.ref(name, location);
    return scalarToString(value, 'Fn::Sub', location);
  });
}

/** Evaluates a condition expression (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`). */
export function evaluateCondition(expression: unknown, hooks: IntrinsicHooks, location: TemplateLocation): boolean {
  if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) {
    throw new UnsupportedIntrinsicError('condition', location, `expected a condition function, got ${JSON.stringify(expression)}`);
  }
  const entries = Object.entries(expression as Record<string, unknown>);
  if (entries.length !== 1) throw new UnsupportedIntrinsicError('condition', location, 'a condition has exactly one function');
  const [name, argument] = entries[0] as [string, unknown];
  const here = at(location, name);
  const operands = (count?: number): unknown[] => {
    if (!Array.isArray(argument) || (count !== undefined && argument.length !== count)) {
      throw new UnsupportedIntrinsicError(name, here, count ? `expected a list of ${count}` : 'expected a list');
    }
    return argument;
  };
  switch (name) {
    case 'Condition':
      if (typeof argument !== 'string') throw new UnsupportedIntrinsicError('Condition', here, 'expected a condition name');
      return hooks.condition(argument, here);
    case 'Fn::Equals': {
      const [left, right] = operands(2).map((item, index) => resolveValue(item, hooks, at(here, index)));
      return JSON.stringify(left) === JSON.stringify(right) || String(left) === String(right);
    }
    case 'Fn::And':
      return operands().every((item, index) => evaluateCondition(item, hooks, at(here, index)));
    case 'Fn::Or':
      return operands().some((item, index) => evaluateCondition(item, hooks, at(here, index)));
    case 'Fn::Not':
      return !evaluateCondition(operands(1)[0], hooks, at(here, 0));
    default:
      throw new UnsupportedIntrinsicError(name, here, 'not a condition function');
  }
}

/** Throws a reference error; exported so hooks report missing names the same way. */
export function unresolvable(location: TemplateLocation, message: string): never {
  throw new UnresolvableReferenceError(location, message);
}
