/**
 * resolv.conf text <-> structured form, the way the kubelet reads the host's file
 * (parseResolvConf) and the container runtime writes the pod's (containerd: search, then
 * nameserver lines, then options).
 */

export interface ResolvConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/**
 * `nameserver` lines accumulate; the last `search` line and the last `options` line win.
 * Search domains lose one trailing dot, so `a.b.` and `a.b` count once against the limits.
 */
export function parseResolvConf(text: string): ResolvConfig {
  const parsed: ResolvConfig = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const [keyword, ...fields] = trimmed.split(/\s+/).filter((f) => f !== '');
    if (keyword === 'nameserver' && fields[0] !== undefined) parsed.nameservers.push(fields[0]);
    if (keyword === 'search') parsed.searches = fields.map(trimOneDot).filter((s) => s !== '');
    if (keyword === 'options') parsed.options = fields;
  }
  return parsed;
}

function trimOneDot(domain: string): string {
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

/** The file the pod sees; empty sections are left out, as containerd does. */
export function formatResolvConf(config: ResolvConfig): string {
  let text = '';
  if (config.searches.length > 0) text += `search ${config.searches.join(' ')}\n`;
  for (const server of config.nameservers) text += `nameserver ${server}\n`;
  if (config.options.length > 0) text += `options ${config.options.join(' ')}\n`;
  return text;
}
