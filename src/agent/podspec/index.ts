/** Pure pieces of the node agent that turn a Pod into what its containers see. */
export { hostnameOf, truncateHostname, type PodHostname, type HostnameOptions } from './hostname.js';
export {
  resolvConf,
  maxNameservers,
  maxSearchDomains,
  maxSearchListChars,
  maxSearchDomainLength,
  type ResolvConfOptions,
  type PodResolvConf,
  type DNSEvent,
} from './resolv.js';
export { parseResolvConf, formatResolvConf, type ResolvConfig } from './resolv-parse.js';
export {
  hostsFile,
  shouldManageHostsFile,
  managedHostsHeader,
  managedHostsHeaderWithHostNetwork,
  type HostsFileOptions,
} from './hosts.js';
export { containerEnv, type ContainerEnvOptions, type ContainerEnv, type EnvEvent } from './env.js';
export { serviceLinkEnv, serviceLinkServices, envVarNameFor, hasClusterIP } from './service-links.js';
export { expandVariables, expandCommandAndArgs, lookupIn, type VariableLookup } from './expand.js';
export { fieldRefValue, resourceFieldRefValue, type PodRuntimeFacts } from './downward.js';
export { parseQuantity } from './quantity.js';
export type { EnvObjectLookup } from './env-sources.js';
export type * from './types.js';
