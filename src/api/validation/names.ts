/**
 * Name and value format checks with apimachinery's exact message texts (users read them
 * in `kubectl` errors). Each `...Errors` function returns the list of problems, empty if fine.
 */

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;
const configKeyFmt = '[-._a-zA-Z0-9]+';

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const configKeyRe = new RegExp(`^${configKeyFmt}$`);

export const DNS1123LabelMaxLength = 63;
export const DNS1123SubdomainMaxLength = 253;
export const DNS1035LabelMaxLength = 63;
export const LabelValueMaxLength = 63;
export const QualifiedNameMaxLength = 63;

export const dns1123LabelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" +
  dns1123LabelFmt +
  "')";
export const dns1123SubdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
  dns1123SubdomainFmt +
  "')";
export const dns1035LabelMessage =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
  dns1035LabelFmt +
  "')";
const qualifiedNameMessage =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
  qualifiedNameFmt +
  "')";
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '" +
  labelValueFmt +
  "')";
const configKeyMessage =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '" +
  configKeyFmt +
  "')";

export function maxLenMessage(n: number): string {
  return `must be no more than ${n} characters`;
}

export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123LabelMaxLength) errs.push(maxLenMessage(DNS1123LabelMaxLength));
  if (!dns1123LabelRe.test(value)) errs.push(dns1123LabelMessage);
  return errs;
}

export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123SubdomainMaxLength) errs.push(maxLenMessage(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRe.test(value)) errs.push(dns1123SubdomainMessage);
  return errs;
}

export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035LabelMaxLength) errs.push(maxLenMessage(DNS1035LabelMaxLength));
  if (!dns1035LabelRe.test(value)) errs.push(dns1035LabelMessage);
  return errs;
}

export function isDNS1123Label(value: string): boolean {
  return dns1123LabelErrors(value).length === 0;
}

export function isDNS1123Subdomain(value: string): boolean {
  return dns1123SubdomainErrors(value).length === 0;
}

/** Label keys, annotation keys, finalizers: `[prefix/]name`. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const msg of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      `a qualified name ${qualifiedNameMessage} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QualifiedNameMaxLength) errs.push(`name part ${maxLenMessage(QualifiedNameMaxLength)}`);
  if (name.length > 0 && !qualifiedNameRe.test(name)) errs.push(`name part ${qualifiedNameMessage}`);
  return errs;
}

export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LabelValueMaxLength) errs.push(maxLenMessage(LabelValueMaxLength));
  if (!labelValueRe.test(value)) errs.push(labelValueMessage);
  return errs;
}

export function configKeyErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123SubdomainMaxLength) errs.push(maxLenMessage(DNS1123SubdomainMaxLength));
  if (!configKeyRe.test(value)) errs.push(configKeyMessage);
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export const portRangeMessage = 'must be between 1 and 65535, inclusive';

export function portNumErrors(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [portRangeMessage];
}

/** IANA_SVC_NAME (RFC 6335): container port names and named targetPorts. */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push(maxLenMessage(15));
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

// ---- object names: which rule each kind uses ----------------------------------------

/**
 * ValidateNameFunc: `prefix` is true for generateName, where a trailing '-' is allowed
 * because a random suffix follows it.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string, prefix: boolean): string {
  return prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (n, p) => dns1123SubdomainErrors(maskTrailingDash(n, p));
export const nameIsDNSLabel: NameValidator = (n, p) => dns1123LabelErrors(maskTrailingDash(n, p));
export const nameIsDNS1035Label: NameValidator = (n, p) => dns1035LabelErrors(maskTrailingDash(n, p));

// ---- IP addresses ---------------------------------------------------------------------

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(value: string): boolean {
  return ipv4Re.test(value);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':') || /[^0-9a-fA-F:.]/.test(value)) return false;
  let text = value;
  let groupsForV4 = 0;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0`;
    groupsForV4 = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : null;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !rest) return false;
  const count = head.length + rest.length + groupsForV4;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

export const ipMessage = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

export function ipErrors(value: string): string[] {
  return isIP(value) ? [] : [ipMessage];
}

/** validateNonSpecialIP: addresses that can never be a Service's or endpoint's IP. */
export function specialIPErrors(value: string): string[] {
  const v = value.toLowerCase();
  if (v === '0.0.0.0' || v === '::' || /^0*:(0*:)*0*$/.test(v)) return ['may not be unspecified (0.0.0.0)'];
  if (v.startsWith('127.') || v === '::1') return ['may not be in the loopback range (127.0.0.0/8, ::1/128)'];
  if (v.startsWith('169.254.') || /^fe[89ab][0-9a-f]?:/.test(v)) return ['may not be in the link-local range (169.254.0.0/16, fe80::/10)'];
  if (v.startsWith('224.0.0.') || v.startsWith('ff02:')) {
    return ['may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'];
  }
  return [];
}

/** A CIDR such as `10.0.0.0/8`; Kubernetes' legacy parser tolerates host bits set. */
export function isCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  return (isIPv4(ip) && n <= 32) || (isIPv6(ip) && n <= 128);
}
