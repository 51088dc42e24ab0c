/**
 * IP address literals and CIDR blocks as EventBridge reads them (event-ruler's CIDR class): only
 * text shaped like dotted-quad IPv4 or colon-hex IPv6 is an address; an IPv4-mapped IPv6 address
 * counts as its IPv4 address; a block covers its network: from the address with every host bit
 * cleared to the address with every host bit set, so `10.0.0.5/24` is 10.0.0.0-10.0.0.255 (event-ruler
 * floors the written address since aws/event-ruler#89; before that the range began at the address as
 * written).
 */
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Big-endian bytes: 4 for IPv4, 16 for IPv6. */
export type AddressBytes = readonly number[];

export function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The address bytes of an IPv4/IPv6 literal, or undefined when `text` is not one. */
export function parseIpAddress(text: string): AddressBytes | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): AddressBytes | undefined {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    const value = Number(part);
    if (part.length > 3 || value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): AddressBytes | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (halves.length === 2 ? groups < 1 : head.length !== 8) return undefined;
  const words = [...head, ...new Array<string>(groups).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const word of words) {
    if (!HEX_GROUP.test(word)) return undefined;
    const value = parseInt(word, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  const ipv4Mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return ipv4Mapped ? bytes.slice(12) : bytes;
}

export function sameAddress(a: AddressBytes, b: AddressBytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function compareAddresses(a: AddressBytes, b: AddressBytes): number {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export interface AddressRange {
  readonly bottom: AddressBytes;
  readonly top: AddressBytes;
}

/** The range a `cidr` operand covers, or a sentence saying why it is not a CIDR block. */
export function parseCidr(text: string): AddressRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `"cidr" needs one "/" between address and prefix length, got "${text}"`;
  const [addressText, bitsText] = parts;
  if (!/^[0-9]+$/.test(bitsText)) return `"cidr" prefix length must be a non-negative integer, got "${bitsText}"`;
  const address = parseIpAddress(addressText);
  if (address === undefined) return `"cidr" needs an IPv4 or IPv6 address, got "${addressText}"`;
  const bits = Number(bitsText);
  // event-ruler (EventBridge's matcher) refuses /32 for IPv4 and /128 for IPv6: a single address is
  // written as a plain string, which is matched as that address.
  if (address.length === 4 && bits > 31) return `"cidr" IPv4 prefix length must be at most 31, got ${bits}`;
  if (address.length === 16 && bits > 127) return `"cidr" IPv6 prefix length must be at most 127, got ${bits}`;
  let hostBits = address.length * 8 - bits;
  const bottom = [...address];
  const top = [...address];
  for (let i = top.length - 1; i >= 0 && hostBits > 0; i -= 1, hostBits -= 8) {
    const hostMask = hostBits >= 8 ? 0xff : (1 << hostBits) - 1;
    bottom[i] &= ~hostMask & 0xff;
    top[i] |= hostMask;
  }
  return { bottom, top };
}

export function inRange(address: AddressBytes, range: AddressRange): boolean {
  return address.length === range.bottom.length
    && compareAddresses(address, range.bottom) >= 0
    && compareAddresses(address, range.top) <= 0;
}
